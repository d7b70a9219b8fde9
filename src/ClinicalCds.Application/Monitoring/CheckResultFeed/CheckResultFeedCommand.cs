using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Domain.Units;
using Mediator;

namespace ClinicalCds.Application.Monitoring.CheckResultFeed;

/// <summary>Checks the laboratory and vital-sign results received in the last <see cref="DriftThresholds.Days"/> days before <see cref="Now"/>.</summary>
public sealed record CheckResultFeedCommand(DateTimeOffset? Now = null) : ICommand<FeedCheck>;

/// <summary>
/// The numeric results of one LOINC code the product converts (<see cref="UnitConversion"/>) received in a period, and
/// how many were not usable: in a unit the conversion does not know, or — once converted — a value no living patient can
/// show (<see cref="UnitConversion.PlausibleOf"/>). <see cref="UnusableUnits"/> names the units those came in.
/// </summary>
public sealed record ResultFeed(string Code, int Results, int Unusable, IReadOnlyList<string> UnusableUnits)
{
    public double UnusableShare => Results == 0 ? 0 : Unusable / (double)Results;

    /// <summary>
    /// A feed fault: more than <see cref="DriftThresholds.Unusable"/> of the results, and at least
    /// <see cref="DriftThresholds.MinimumUnusable"/>, not usable — at any volume, for a fault is one however few the patients.
    /// </summary>
    public bool Alarmed(DriftThresholds thresholds) => Unusable >= thresholds.MinimumUnusable && UnusableShare > thresholds.Unusable;
}

/// <summary>One check of the result feed over a period; <see cref="Alarmed"/> the codes whose results are not usable.</summary>
public sealed record FeedCheck(DateTimeOffset From, DateTimeOffset Until, DateTimeOffset ComputedAt, IReadOnlyList<ResultFeed> Feeds, IReadOnlyList<string> Alarmed);

/// <summary>
/// Data quality of the results the models read (issue 32 item 5): a value that is not usable is never read as the
/// patient's (it does not enter features, scores or cards), so a feed that sends part of its results in a wrong unit —
/// one analyser reporting hemoglobin in g/L under g/dL — would only show as a slightly higher share "not recorded", which
/// drift thresholds rightly tolerate. This check counts them per code instead, stores the check (replacing one of the
/// same period end) and the readiness check reports an alarm as degraded.
/// </summary>
public sealed class CheckResultFeedHandler(IMonitoringStore store, DriftThresholds thresholds, TimeProvider clock) : ICommandHandler<CheckResultFeedCommand, FeedCheck>
{
    public async ValueTask<FeedCheck> Handle(CheckResultFeedCommand command, CancellationToken cancellationToken)
    {
        var until = command.Now ?? clock.GetUtcNow();
        var from = until.AddDays(-thresholds.Days);
        var feeds = await store.ResultFeedsAsync(UnitConversion.CheckedCodes, from, until, cancellationToken);
        var check = new FeedCheck(from, until, clock.GetUtcNow(), feeds, [.. feeds.Where(f => f.Alarmed(thresholds)).Select(f => f.Code)]);
        await store.SaveFeedAsync(check, cancellationToken);
        return check;
    }
}
