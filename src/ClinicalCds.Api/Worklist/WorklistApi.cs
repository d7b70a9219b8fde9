using System.Globalization;
using System.Security.Claims;
using System.Text;
using ClinicalCds.Api.Admin;
using ClinicalCds.Application.Worklist;
using ClinicalCds.Application.Worklist.GetPatientRisk;
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
            .WithSummary("A patient's latest risks with their factors, score history, published score breakdowns, reviews, recent encounters and key labs.");

        app.MapGet("/worklist.csv", async (HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var filter = WorklistQuery.Parse(http.Request.Query) with { Page = 1, PageSize = WorklistFilter.MaxPageSize };
            var csv = new StringBuilder("patient_id,name,mrn,model,probability,tier,previous_tier,tier_changed,top_factor,service,discharge,reviewed,assignee,as_of\r\n");
            long total;
            do
            {
                var page = await mediator.Send(new GetWorklistQuery(filter, UserName(http.User), "export-csv"), ct);
                foreach (var row in page.Rows)
                {
                    csv.AppendJoin(',', [
                        Csv(row.PatientId), Csv(row.Name), Csv(row.Mrn), Csv(row.Model), row.Probability?.ToString("0.####", CultureInfo.InvariantCulture) ?? string.Empty,
                        Csv(row.Tier), Csv(row.PreviousTier), row.TierChanged ? "true" : "false", Csv(row.TopFactor), Csv(row.Service),
                        row.Discharge?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty, row.Reviewed ? "true" : "false",
                        Csv(row.Assignee), row.AsOf.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)]).Append("\r\n");
                }

                total = page.Total;
                filter = filter with { Page = filter.Page + 1 };
            }
            while ((long)(filter.Page - 1) * filter.PageSize < total);

            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"worklist-{filter.Model}.csv");
        }).RequireAuthorization(AdminAuthentication.CarePolicy).ExcludeFromDescription();
        return app;
    }

    public static string UserName(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    /// <summary>RFC 4180 field; a leading =, +, - or @ is quoted with an apostrophe so spreadsheets never run it as a formula.</summary>
    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
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
            Model: query["model"].ToString() is { Length: > 0 } model ? model : "readmission",
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
