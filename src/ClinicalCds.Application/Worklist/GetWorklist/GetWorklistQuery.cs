using ClinicalCds.Application.Abstractions;
using Mediator;

namespace ClinicalCds.Application.Worklist.GetWorklist;

/// <summary>A page of the worklist for <paramref name="UserName"/>; every view is audited (what was asked, never the rows).</summary>
public sealed record GetWorklistQuery(WorklistFilter Filter, string UserName, string Channel = "view-worklist") : IQuery<WorklistPage>;

public sealed class GetWorklistHandler(IWorklistStore store, Domain.Risks.RiskCatalog risks, Domain.Clinical.HospitalTime time, TimeProvider clock)
    : IQueryHandler<GetWorklistQuery, WorklistPage>
{
    /// <summary>What a view of a page is audited with: what was asked and how much came back, never the rows.</summary>
    public static string AuditDetail(WorklistPage page) =>
        $"model={page.Filter.Model} page={page.Filter.Page} rows={page.Rows.Count} of {page.Total}";

    public async ValueTask<WorklistPage> Handle(GetWorklistQuery query, CancellationToken cancellationToken)
    {
        var filter = query.Filter.Normalized(risks);
        var stored = await store.QueryAsync(filter, query.UserName, cancellationToken);
        // Dates as the hospital's calendar has them, "today" being today's date there (not hours elapsed since the run).
        var now = clock.GetUtcNow();
        var page = stored with { Rows = [.. stored.Rows.Select(r => r.Dated(time, now))] };
        await store.AuditAsync(query.UserName, null, query.Channel, AuditDetail(page), cancellationToken);
        return page;
    }
}
