using System.Globalization;
using System.Security.Claims;
using System.Text;
using ClinicalCds.Api.Admin;
using ClinicalCds.Application.Worklist;
using ClinicalCds.Application.Worklist.GetPatientRisk;
using ClinicalCds.Application.Worklist.ExportWorklist;
using ClinicalCds.Application.Worklist.GetWorklist;
using Mediator;

namespace ClinicalCds.Api.Worklist;

/// <summary>
/// The worklist as JSON (`/api/worklist`, `/api/patients/{id}/risk`, described by the OpenAPI document) and as CSV
/// (`/worklist.csv`), with the same query parameters and the same authorization as the pages.
/// </summary>
public static class WorklistApi
{
    public static IEndpointRouteBuilder MapWorklistApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Worklist").RequireAuthorization(AdminAuthentication.CarePolicy);
        api.MapGet("/worklist", async (HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetWorklistQuery(WorklistQuery.Parse(http.Request.Query), UserName(http.User), "api-worklist"), ct)))
            .WithSummary("The worklist: patients ranked by their latest risk of one model, filtered, searched, sorted and paged.")
            .WithDescription("Query: model (readmission|complication), tier (repeatable: low|moderate|high), service, from, to (discharge dates, yyyy-MM-dd), unreviewed=true, mine=true, q (name or MRN), sort (risk|change|discharge|name), desc (true|false), page, pageSize (≤ 500).");
        api.MapGet("/patients/{id}/risk", async Task<IResult> (string id, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetPatientRiskQuery(id, UserName(http.User), "api-patient-risk"), ct) is { } view
                    ? TypedResults.Ok(view)
                    : TypedResults.NotFound())
            .WithSummary("A patient's latest risks with their factors, score history, published score breakdowns, reviews, recent encounters and key labs.")
            .WithDescription("Every view is recorded in the worklist audit (who, which patient, when). 404 when no score of the patient is kept.")
            .Produces<PatientRiskView>()
            .Produces(StatusCodes.Status404NotFound);

        app.MapGet("/worklist.csv", async (HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var export = await mediator.Send(new ExportWorklistQuery(WorklistQuery.Parse(http.Request.Query), UserName(http.User)), ct);
            return TypedResults.File(Encoding.UTF8.GetBytes(export.Csv), "text/csv; charset=utf-8", export.FileName);
        }).RequireAuthorization(AdminAuthentication.CarePolicy).ExcludeFromDescription();
        return app;
    }

    public static string UserName(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}

/// <summary>The worklist's query string, read one way for the page, the JSON API and the CSV export.</summary>
public static class WorklistQuery
{
    public static WorklistFilter Parse(IQueryCollection query)
    {
        static DateOnly? Date(string? text) =>
            DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
        static int Int(string? text, int fallback) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : fallback;

        return new WorklistFilter(
            Model: query["model"].ToString() is { Length: > 0 } model ? model : null,
            Tiers: [.. query["tier"].Where(t => t is "low" or "moderate" or "high" or "insufficient").Select(t => t!)],
            Service: query["service"].ToString() is { Length: > 0 } service ? service : null,
            DischargedFrom: Date(query["from"]),
            DischargedTo: Date(query["to"]),
            UnreviewedOnly: query["unreviewed"] == "true",
            AssignedToMe: query["mine"] == "true",
            Search: query["q"].ToString(),
            Sort: Enum.TryParse<WorklistSort>(query["sort"], ignoreCase: true, out var sort) ? sort : WorklistSort.Risk,
            Descending: query["desc"] != "false",
            Page: Int(query["page"], 1),
            PageSize: Int(query["pageSize"], 25));
    }

    /// <summary>The query string of <paramref name="filter"/>, with changes (for links: sort, page).</summary>
    public static string ToQuery(WorklistFilter filter)
    {
        var parts = new List<string> { $"model={filter.Model}" };
        parts.AddRange((filter.Tiers ?? []).Select(t => $"tier={t}"));
        if (filter.Service is { } service)
        {
            parts.Add($"service={Uri.EscapeDataString(service)}");
        }

        if (filter.DischargedFrom is { } from)
        {
            parts.Add($"from={from:yyyy-MM-dd}");
        }

        if (filter.DischargedTo is { } to)
        {
            parts.Add($"to={to:yyyy-MM-dd}");
        }

        if (filter.UnreviewedOnly)
        {
            parts.Add("unreviewed=true");
        }

        if (filter.AssignedToMe)
        {
            parts.Add("mine=true");
        }

        if (!string.IsNullOrEmpty(filter.Search))
        {
            parts.Add($"q={Uri.EscapeDataString(filter.Search)}");
        }

        parts.Add($"sort={filter.Sort.ToString().ToLowerInvariant()}");
        parts.Add($"desc={(filter.Descending ? "true" : "false")}");
        parts.Add($"page={filter.Page}");
        parts.Add($"pageSize={filter.PageSize}");
        return string.Join('&', parts);
    }
}
