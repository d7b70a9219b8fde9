using ClinicalCds.Application.Abstractions;
using Mediator;

namespace ClinicalCds.Application.Monitoring.GetMonitoring;

/// <summary>The outcome monitoring's monthly numbers, of one model or all, newest month first.</summary>
public sealed record GetMonitoringQuery(string? Model) : IQuery<IReadOnlyList<MonitoringPeriod>>;

public sealed class GetMonitoringHandler(IMonitoringStore store) : IQueryHandler<GetMonitoringQuery, IReadOnlyList<MonitoringPeriod>>
{
    public async ValueTask<IReadOnlyList<MonitoringPeriod>> Handle(GetMonitoringQuery query, CancellationToken cancellationToken) =>
        await store.ListAsync(query.Model, cancellationToken);
}
