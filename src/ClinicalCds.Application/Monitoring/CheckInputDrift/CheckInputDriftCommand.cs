using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Monitoring.CheckInputDrift;

/// <summary>
/// Compares each served model's inputs of the last <see cref="DriftThresholds.Days"/> days before <see cref="Now"/> (more,
/// up to <see cref="DriftThresholds.MaximumDays"/>, while they hold too few targets) with its card.
/// </summary>
public sealed record CheckInputDriftCommand(DateTimeOffset? Now = null) : ICommand<IReadOnlyList<DriftCheck>>;

/// <summary>
/// Input drift and data-quality alarms (issue 22 item 3): per feature of each model now served, the PSI of the period's
/// inputs against the card's reference, the share not recorded against the card's, and the share outside the
/// reference's range (<see cref="InputDrift"/>). Each check is stored (replacing one of the same period) and its alarms
/// counted in telemetry; the readiness check reports a model with alarms as degraded.
/// </summary>
public sealed class CheckInputDriftHandler(IMonitoringStore store, IRiskModels models, RiskCatalog risks, DriftThresholds thresholds, TimeProvider clock)
    : ICommandHandler<CheckInputDriftCommand, IReadOnlyList<DriftCheck>>
{
    public async ValueTask<IReadOnlyList<DriftCheck>> Handle(CheckInputDriftCommand command, CancellationToken cancellationToken)
    {
        var until = command.Now ?? clock.GetUtcNow();
        var checks = new List<DriftCheck>();
        foreach (var risk in risks.All)
        {
            // The active version, and a candidate against its own card's reference (the same inputs, another reference).
            foreach (var model in new[] { models.Find(risk.Name), models.Candidate(risk.Name) }.OfType<IRiskModel>())
            {
                var method = model.Card.SourceLabel;
                // The last Days days, grown a period at a time while they hold too few targets (a small hospital).
                var from = until.AddDays(-thresholds.Days);
                var inputs = await store.ServedInputsAsync(risk.Name, method, from, until, cancellationToken);
                while (inputs.Count < thresholds.MinimumInputs && from > until.AddDays(-thresholds.MaximumDays))
                {
                    from = Max(from.AddDays(-thresholds.Days), until.AddDays(-thresholds.MaximumDays));
                    inputs = await store.ServedInputsAsync(risk.Name, method, from, until, cancellationToken);
                }

                var check = new DriftCheck(risk.Name, method, from, until, clock.GetUtcNow(), inputs.Count, InputDrift.Compare(model.Card.Features, inputs, thresholds));
                await store.SaveDriftAsync(check, cancellationToken);
                if (ReferenceEquals(model, models.Find(risk.Name)))
                {
                    Telemetry.RecordDriftAlarms(risk.Name, check.Alarmed.Count);
                }

                checks.Add(check);
            }
        }

        return checks;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
