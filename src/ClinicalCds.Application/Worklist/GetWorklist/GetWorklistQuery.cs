using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using Mediator;

namespace ClinicalCds.Application.Worklist.GetWorklist;

/// <summary>A page of the worklist for <paramref name="UserName"/>; every view is audited (what was asked, never the rows).</summary>
public sealed record GetWorklistQuery(WorklistFilter Filter, string UserName, string Channel = "view-worklist") : IQuery<WorklistPage>;

public sealed class GetWorklistHandler(IWorklistStore store) : IQueryHandler<GetWorklistQuery, WorklistPage>
{
    public async ValueTask<WorklistPage> Handle(GetWorklistQuery query, CancellationToken cancellationToken)
    {
        var filter = query.Filter with
        {
            Model = RiskModelNames.All.Contains(query.Filter.Model) ? query.Filter.Model : RiskModelNames.Readmission,
            Page = Math.Max(1, query.Filter.Page),
            PageSize = Math.Clamp(query.Filter.PageSize, 1, WorklistFilter.MaxPageSize),
            Search = string.IsNullOrWhiteSpace(query.Filter.Search) ? null : query.Filter.Search.Trim(),
        };
        var page = await store.QueryAsync(filter, query.UserName, cancellationToken);
        await store.AuditAsync(query.UserName, null, query.Channel,
            $"model={filter.Model} page={filter.Page} rows={page.Rows.Count} of {page.Total}", cancellationToken);
        return page;
    }
}
