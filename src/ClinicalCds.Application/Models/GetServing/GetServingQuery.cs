using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Models.GetServing;

/// <summary>What each model serves: active and candidate versions with their cards, the valid versions, and the audited changes.</summary>
public sealed record GetServingQuery(int Changes = 50) : IQuery<ServingOverview>;

public sealed record ModelServingView(ServedVersions Versions, ModelCard? Active, ModelCard? Candidate);

public sealed record ServingOverview(IReadOnlyList<ModelServingView> Models, IReadOnlyList<ServingChange> Changes, IReadOnlyList<string> Refused);

public sealed class GetServingHandler(IRiskModels models, IModelServing serving, IServingAudit audit, RiskCatalog risks)
    : IQueryHandler<GetServingQuery, ServingOverview>
{
    public async ValueTask<ServingOverview> Handle(GetServingQuery query, CancellationToken cancellationToken) => new(
        [.. risks.Names.Select(name => new ModelServingView(serving.Versions(name), models.Find(name)?.Card, models.Candidate(name)?.Card))],
        await audit.ListAsync(null, query.Changes, cancellationToken),
        models.Refused);
}
