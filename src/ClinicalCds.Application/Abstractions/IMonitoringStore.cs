using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;

namespace ClinicalCds.Application.Abstractions;

/// <summary>One served target: a patient's stay scored at an instant by a method (a model version or a published score).</summary>
public sealed record ServedScore(string PatientId, string EncounterId, DateTimeOffset Instant, double Probability, string? Tier, string Method);

/// <summary>The realised performance of one method over the targets of one calendar month (UTC) whose outcome windows have closed.</summary>
public sealed record MonitoringPeriod(string Model, string Method, DateOnly Month, DateTimeOffset ComputedAt, CardMetrics Metrics, IReadOnlyList<CardSubgroup> Subgroups);

/// <summary>One input-drift check: a method's served inputs from <see cref="From"/> until <see cref="Until"/> against its card.</summary>
public sealed record DriftCheck(
    string Model, string Method, DateTimeOffset From, DateTimeOffset Until, DateTimeOffset ComputedAt, int Targets, IReadOnlyList<FeatureDrift> Features)
{
    public IReadOnlyList<FeatureDrift> Alarmed => [.. Features.Where(f => f.Alarms.Count > 0)];
}

/// <summary>What was served, and what the outcome monitoring concluded about it.</summary>
public interface IMonitoringStore
{
    /// <summary>
    /// Every distinct target of <paramref name="model"/> scored with a probability at an instant before
    /// <paramref name="instantsBefore"/> — once, as first served (a nightly run scores a recent discharge again each night).
    /// </summary>
    Task<IReadOnlyList<ServedScore>> ServedScoresAsync(string model, DateTimeOffset instantsBefore, CancellationToken cancellationToken);

    /// <summary>Stores each period, replacing an earlier computation of the same method and month.</summary>
    Task SaveAsync(IReadOnlyList<MonitoringPeriod> periods, CancellationToken cancellationToken);

    Task<IReadOnlyList<MonitoringPeriod>> ListAsync(string? model, CancellationToken cancellationToken);

    /// <summary>The inputs of every distinct target <paramref name="method"/> scored at an instant in [from, until), as first served.</summary>
    Task<IReadOnlyList<IReadOnlyList<double?>>> ServedInputsAsync(string model, string method, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Stores a check, replacing one of the same method and period end.</summary>
    Task SaveDriftAsync(DriftCheck check, CancellationToken cancellationToken);

    /// <summary>The latest check of each method.</summary>
    Task<IReadOnlyList<DriftCheck>> LatestDriftAsync(CancellationToken cancellationToken);
}
