using ClinicalCds.Application.Abstractions;
using Mediator;

namespace ClinicalCds.Application.Scoring.GetRuns;

/// <summary>Runs, newest first: one by id, those of a request key, or the latest <paramref name="Limit"/>.</summary>
public sealed record GetRunsQuery(long? RunId = null, string? RequestKey = null, int Limit = 50) : IQuery<IReadOnlyList<RunSummary>>;

public sealed class GetRunsHandler(IScoringStore store) : IQueryHandler<GetRunsQuery, IReadOnlyList<RunSummary>>
{
    public async ValueTask<IReadOnlyList<RunSummary>> Handle(GetRunsQuery query, CancellationToken cancellationToken)
    {
        if (query.RunId is { } id)
        {
            return await store.GetRunAsync(id, cancellationToken) is { } run ? [run] : [];
        }

        return await store.ListRunsAsync(query.RequestKey, Math.Clamp(query.Limit, 1, 1000), cancellationToken);
    }
}
