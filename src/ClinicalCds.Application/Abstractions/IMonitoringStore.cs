using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;

using ClinicalCds.Application.Scoring;

namespace ClinicalCds.Application.Abstractions;

/// <summary>
/// One served target: a patient's stay scored at an instant by a method (a model version or a published score). A
/// candidate version's score (<see cref="Shadow"/>, never shown) carries the active version's probability on the same inputs.
/// </summary>
public sealed record ServedScore(string PatientId, string EncounterId, DateTimeOffset Instant, double Probability, string? Tier, string Method)
{
    public bool Shadow { get; init; }

    public string? ActiveMethod { get; init; }

    public double? ActiveProbability { get; init; }

    /// <summary>
    /// The instant the first score was made at, in the data's own time: a run's as-of, a hook's judged instant (null when
    /// unknown). <see cref="Lag"/> after the target's instant.
    /// </summary>
    public DateTimeOffset? MadeAt { get; init; }

    public TimeSpan? Lag => MadeAt - Instant;
}

/// <summary>
/// The realised performance of one method over the targets of one calendar month (UTC) whose outcome windows have closed.
/// For a candidate (<see cref="Shadow"/>: every target scored beside the active version, none shown),
/// <see cref="Comparisons"/> holds the active version's AUROC on the same targets and the paired difference.
/// </summary>
public sealed record MonitoringPeriod(string Model, string Method, DateOnly Month, DateTimeOffset ComputedAt, CardMetrics Metrics, IReadOnlyList<CardSubgroup> Subgroups)
{
    public bool Shadow { get; init; }

    public IReadOnlyList<CardBaseline> Comparisons { get; init; } = [];

    /// <summary>
    /// Targets left out because they were first scored later than <see cref="ScoringOptions.MonitoringMaxLagHours"/> after
    /// their instant (issue 32 item 4): a discharge first scored 16 days late is one whose early readmissions had no score
    /// to count against, so counting it biases the month.
    /// </summary>
    public int Late { get; init; }

    /// <summary>The median time from a counted target's instant to its first score, in hours (null when none had one).</summary>
    public double? MedianLagHours { get; init; }
}

/// <summary>One input-drift check: a method's served inputs from <see cref="From"/> until <see cref="Until"/> against its card.</summary>
public sealed record DriftCheck(
    string Model, string Method, DateTimeOffset From, DateTimeOffset Until, DateTimeOffset ComputedAt, int Targets, IReadOnlyList<FeatureDrift> Features)
{
    public IReadOnlyList<FeatureDrift> Alarmed => [.. Features.Where(f => f.Alarms.Count > 0)];
}

/// <summary>One target's inputs as a population run scored them: the target's instant and its run's as-of instant.</summary>
public sealed record RunInputs(DateTimeOffset Instant, DateTimeOffset RunAsOf, IReadOnlyList<double?> Inputs);

/// <summary>What was served, and what the outcome monitoring concluded about it.</summary>
public interface IMonitoringStore
{
    /// <summary>
    /// Every distinct target of <paramref name="model"/> scored with a probability at an instant before
    /// <paramref name="instantsBefore"/>, by each method — served or as candidate — once, as first scored (a nightly run
    /// scores a recent discharge again each night).
    /// </summary>
    Task<IReadOnlyList<ServedScore>> ServedScoresAsync(string model, DateTimeOffset instantsBefore, CancellationToken cancellationToken);

    /// <summary>Stores each period, replacing an earlier computation of the same method and month.</summary>
    Task SaveAsync(IReadOnlyList<MonitoringPeriod> periods, CancellationToken cancellationToken);

    Task<IReadOnlyList<MonitoringPeriod>> ListAsync(string? model, CancellationToken cancellationToken);

    /// <summary>
    /// The inputs of every distinct target a population run scored with <paramref name="method"/> (served or as candidate)
    /// at an instant in [from, until), as first scored, each with the as-of instant of its run.
    /// </summary>
    Task<IReadOnlyList<RunInputs>> RunInputsAsync(string model, string method, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Stores a check, replacing one of the same method and period end.</summary>
    Task SaveDriftAsync(DriftCheck check, CancellationToken cancellationToken);

    /// <summary>The latest check of each method.</summary>
    Task<IReadOnlyList<DriftCheck>> LatestDriftAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Per code of <paramref name="codes"/>, the numeric results received with an instant in [from, until) (not entered in
    /// error), how many were not usable (no canonical value), and the units those came in.
    /// </summary>
    Task<IReadOnlyList<Monitoring.CheckResultFeed.ResultFeed>> ResultFeedsAsync(
        IReadOnlyCollection<string> codes, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Stores a result-feed check, replacing one of the same period end.</summary>
    Task SaveFeedAsync(Monitoring.CheckResultFeed.FeedCheck check, CancellationToken cancellationToken);

    /// <summary>The latest result-feed check; null before the first.</summary>
    Task<Monitoring.CheckResultFeed.FeedCheck?> LatestFeedAsync(CancellationToken cancellationToken);

    /// <summary>Keeps each method's latest performance check (<see cref="Monitoring.PerformanceCheck"/>), replacing the one before.</summary>
    Task SavePerformanceAsync(IReadOnlyList<Monitoring.PerformanceCheck> checks, CancellationToken cancellationToken);

    /// <summary>Each method's latest performance check.</summary>
    Task<IReadOnlyList<Monitoring.PerformanceCheck>> LatestPerformanceAsync(CancellationToken cancellationToken);
}
