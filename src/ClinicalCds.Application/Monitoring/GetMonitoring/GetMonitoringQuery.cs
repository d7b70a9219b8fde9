using ClinicalCds.Application.Abstractions;
using Mediator;

namespace ClinicalCds.Application.Monitoring.GetMonitoring;

/// <summary>The model monitoring of one model or all: outcome months (newest first) and the latest input-drift checks.</summary>
public sealed record GetMonitoringQuery(string? Model) : IQuery<ModelMonitoring>;

public sealed record ModelMonitoring(IReadOnlyList<MonitoringPeriod> Outcomes, IReadOnlyList<DriftCheck> Drift)
{
    /// <summary>Each served method's latest rolling-window performance check and its alarms (issue 32 item 4).</summary>
    public IReadOnlyList<PerformanceCheck> Performance { get; init; } = [];

    /// <summary>The latest check of the laboratory and vital-sign results received (issue 32 item 5); null before the first.</summary>
    public CheckResultFeed.FeedCheck? ResultFeed { get; init; }
}

public sealed class GetMonitoringHandler(IMonitoringStore store) : IQueryHandler<GetMonitoringQuery, ModelMonitoring>
{
    public async ValueTask<ModelMonitoring> Handle(GetMonitoringQuery query, CancellationToken cancellationToken) =>
        new(await store.ListAsync(query.Model, cancellationToken),
            [.. (await store.LatestDriftAsync(cancellationToken)).Where(c => query.Model is null || c.Model == query.Model)])
        {
            Performance = [.. (await store.LatestPerformanceAsync(cancellationToken)).Where(c => query.Model is null || c.Model == query.Model)],
            ResultFeed = await store.LatestFeedAsync(cancellationToken),
        };
}
