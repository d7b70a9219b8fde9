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
public sealed class CheckInputDriftHandler(
    IMonitoringStore store, IRiskModels models, RiskCatalog risks, DriftThresholds thresholds, Scoring.ScoringOptions scoring, TimeProvider clock)
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
                // The last Days days, grown a period at a time while they hold too few targets (a small hospital): read
                // once more over the longest period, and cut there.
                var from = until.AddDays(-thresholds.Days);
                var nightly = await NightlyInputsAsync(risk, method, from, until, cancellationToken);
                if (nightly.Count < thresholds.MinimumInputs && thresholds.MaximumDays > thresholds.Days)
                {
                    var longest = await NightlyInputsAsync(risk, method, until.AddDays(-thresholds.MaximumDays), until, cancellationToken);
                    while (longest.Count(r => r.Instant >= from) < thresholds.MinimumInputs && from > until.AddDays(-thresholds.MaximumDays))
                    {
                        from = Max(from.AddDays(-thresholds.Days), until.AddDays(-thresholds.MaximumDays));
                    }

                    nightly = [.. longest.Where(r => r.Instant >= from)];
                }

                var inputs = nightly.Select(r => r.Inputs).ToList();

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

    /// <summary>
    /// The inputs the population runs scored, at the instants the card's serving reference reproduces: a risk at discharge
    /// is judged as of the discharge whenever a run scores it; a risk during the stay only by the runs as of the nightly
    /// run's time of day (Scoring:Cron in Scoring:TimeZone; every run under a schedule that is not one a day). Hook answers
    /// and runs at other hours are scored whenever they are asked for (an encounter-start is a length of stay of 0 by
    /// definition) and are no sample of the same thing.
    /// </summary>
    private async Task<IReadOnlyList<RunInputs>> NightlyInputsAsync(
        RiskDefinition risk, string method, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var runs = await store.RunInputsAsync(risk.Name, method, from, until, cancellationToken);
        var (time, zone) = (scoring.NightlyRunTime, scoring.Zone);
        return [.. runs
            .Where(r => risk.Moment != RiskMoment.DuringStay || time is not { } t || TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(r.RunAsOf, zone).DateTime) == t)];
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
