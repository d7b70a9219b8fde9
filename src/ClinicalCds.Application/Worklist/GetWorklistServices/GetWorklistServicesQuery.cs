using ClinicalCds.Application.Abstractions;
using Mediator;

namespace ClinicalCds.Application.Worklist.GetWorklistServices;

/// <summary>The services (discharging units) among one model's latest scores: the choices of the worklist's service filter.</summary>
public sealed record GetWorklistServicesQuery(string Model) : IQuery<IReadOnlyList<string>>;

public sealed class GetWorklistServicesHandler(IWorklistStore store) : IQueryHandler<GetWorklistServicesQuery, IReadOnlyList<string>>
{
    public async ValueTask<IReadOnlyList<string>> Handle(GetWorklistServicesQuery query, CancellationToken cancellationToken) =>
        await store.ServicesAsync(query.Model, cancellationToken);
}
