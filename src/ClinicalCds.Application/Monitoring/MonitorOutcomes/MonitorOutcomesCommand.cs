using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Monitoring.MonitorOutcomes;

/// <summary>Labels every served score whose outcome window has closed by <see cref="Now"/> and computes each method's monthly performance.</summary>
public sealed record MonitorOutcomesCommand(DateTimeOffset? Now = null) : ICommand<MonitorOutcomesResult>;

public sealed record MonitorOutcomesResult(int Labelled, IReadOnlyList<MonitoringPeriod> Periods)
{
    /// <summary>Each served model's rolling-window check and its alarms (issue 32 item 4).</summary>
    public IReadOnlyList<PerformanceCheck> Performance { get; init; } = [];
}

/// <summary>
/// Outcome monitoring (issue 22 item 2): a served score is labelled once its window has closed — 30 days after a
/// discharge, 48 hours after a scoring instant — from the store, by the risk's own outcome rule
/// (<see cref="RiskDefinition.Outcome"/>, the rule that labels training rows). Per method (model version, or the
/// published score served while no model was loaded) and per month of the scoring instant, the labelled targets are
/// evaluated as a test split is (<see cref="ModelEvaluation"/>: AUROC, calibration by decile, rates at the tiers as
/// served, per sex and age band, patient-level bootstrap intervals). Recomputing replaces a month's numbers: a nightly
/// job may run it any number of times.
/// </summary>
public sealed class MonitorOutcomesHandler(
    IMonitoringStore store, ServedOutcomes outcomes, RiskCatalog risks, IRiskModels models, PerformanceAlarmOptions alarms, TimeProvider clock)
    : ICommandHandler<MonitorOutcomesCommand, MonitorOutcomesResult>
{
    public async ValueTask<MonitorOutcomesResult> Handle(MonitorOutcomesCommand command, CancellationToken cancellationToken)
    {
        var now = command.Now ?? clock.GetUtcNow();
        var periods = new List<MonitoringPeriod>();
        var checks = new List<PerformanceCheck>();
        var labelled = 0;
        foreach (var risk in risks.All)
        {
            var scores = await outcomes.LabelAsync(risk, now, cancellationToken);
            labelled += scores.Count;
            // The served model's rolling window (issue 32 item 4): its timely targets, judged against its card.
            if (models.Find(risk.Name) is { } served)
            {
                var method = served.Card.SourceLabel;
                var timely = scores.Where(o => o.Score.Method == method && !o.Score.Shadow && outcomes.Timely(o)).ToList();
                checks.Add(PerformanceCheck.Judge(
                    risk.Name, method,
                    [.. timely.Select(o => (new DateOnly(o.Score.Instant.UtcDateTime.Year, o.Score.Instant.UtcDateTime.Month, 1),
                        new EvaluatedRow(o.Score.PatientId, o.Score.Probability, o.Outcome.Label == true, [], [])))],
                    served.Card, alarms, now, ServedTiers([.. timely.Select(o => o.Score)])));
            }

            foreach (var month in scores.GroupBy(o => (o.Score.Method, Month: new DateOnly(o.Score.Instant.UtcDateTime.Year, o.Score.Instant.UtcDateTime.Month, 1))))
            {
                // Only targets first scored within the maximum lag of their instant count; the rest are counted as late.
                var period = month.Where(outcomes.Timely).ToList();
                var late = month.Count() - period.Count;
                var lags = period.Select(o => o.Score.Lag).OfType<TimeSpan>().Select(l => l.TotalHours).Order().ToList();
                if (period.Count == 0)
                {
                    continue; // nothing scored in time: no month to evaluate
                }

                var tiers = ServedTiers([.. period.Select(o => o.Score)]);
                var rows = period.Select(o => new EvaluatedRow(o.Score.PatientId, o.Score.Probability, o.Outcome.Label == true, [], [.. Groups(o)])).ToList();
                var result = ModelEvaluation.Evaluate(rows, [], tiers);
                periods.Add(new MonitoringPeriod(risk.Name, month.Key.Method, month.Key.Month, now, result.Metrics, result.Subgroups)
                {
                    Shadow = period.All(o => o.Score.Shadow),
                    Comparisons = ActiveBeside([.. period], tiers),
                    Late = late,
                    MedianLagHours = lags.Count == 0 ? null : lags[lags.Count / 2],
                });
            }
        }

        await store.SaveAsync(periods, cancellationToken);
        await store.SavePerformanceAsync(checks, cancellationToken);
        return new MonitorOutcomesResult(labelled, periods) { Performance = checks };
    }

    /// <summary>
    /// A candidate against the active version on the targets both scored (paired, the same patient resamples): the
    /// active version's AUROC and candidate − active, with intervals. None for a method that was never a candidate.
    /// </summary>
    private static IReadOnlyList<CardBaseline> ActiveBeside(IReadOnlyList<LabelledScore> period, CardTiers tiers)
    {
        var paired = period.Where(o => o.Score.Shadow && o.Score.ActiveProbability is not null).ToList();
        if (paired.Count == 0)
        {
            return [];
        }

        var active = string.Join(", ", paired.Select(o => o.Score.ActiveMethod).Distinct().Order(StringComparer.Ordinal));
        var rows = paired.Select(o => new EvaluatedRow(o.Score.PatientId, o.Score.Probability, o.Outcome.Label == true, [o.Score.ActiveProbability!.Value], [])).ToList();
        return ModelEvaluation.Evaluate(rows, [$"active: {active}"], tiers).Baselines;
    }

    /// <summary>
    /// The thresholds as served: the lowest probability served in a tier or above. A method's tiers are fixed thresholds
    /// on its probability, so flagging at these flags exactly the targets that were shown in that tier.
    /// </summary>
    private static CardTiers ServedTiers(IReadOnlyList<ServedScore> scores)
    {
        double Lowest(params string[] tiers) =>
            scores.Where(s => s.Tier is not null && tiers.Contains(s.Tier)).Select(s => s.Probability).DefaultIfEmpty(double.PositiveInfinity).Min();
        return new CardTiers(Lowest("moderate", "high"), Lowest("high"), "As served: the lowest probability shown in the tier or above.");
    }

    private static IEnumerable<string> Groups(LabelledScore score)
    {
        yield return Subgroups.Sex(score.Patient?.Sex);
        yield return Subgroups.AgeBand(score.AgeYears);
    }
}
