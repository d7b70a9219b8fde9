using System.Text.Json;
using System.Text.Json.Serialization;
using ClinicalCds.Api.Admin;
using ClinicalCds.Api.Fhir;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring.GetRuns;
using ClinicalCds.Application.Scoring.RequestRuns;
using ClinicalCds.Application.Scoring.SearchRiskAssessments;
using ClinicalCds.Fhir;
using Mediator;

namespace ClinicalCds.Api.Scoring;

/// <summary>Population scoring over HTTP: the admin API for runs, and the score history as FHIR RiskAssessments.</summary>
public static class ScoringEndpoints
{
    public sealed record RunRequestBody(string? Cohort, string? Model, DateTimeOffset? AsOf);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static IEndpointRouteBuilder MapScoring(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/scoring").WithTags("Admin").RequireAuthorization(AdminAuthentication.Policy);

        admin.MapPost("/runs", async Task<IResult> (RunRequestBody? body, IMediator mediator, CancellationToken ct) =>
        {
            if (body?.Cohort is not { Length: > 0 } cohort)
            {
                return new FhirResult(Outcomes.BadRequest("The body must name a cohort: {\"cohort\": \"NAME\" | \"all\", \"model\": optional}."));
            }

            var requested = await mediator.Send(new RequestRunsCommand(cohort, body.Model, body.AsOf, "api"), ct);
            return requested.Error is { } error
                ? new FhirResult(Outcomes.BadRequest(error))
                : new Located(
                    Results.Json(requested, Json, statusCode: StatusCodes.Status202Accepted),
                    $"/admin/scoring/runs?request={Uri.EscapeDataString(requested.RequestKey)}");
        })
            .WithSummary("Requests population rescoring now: one run per cohort and model, worked by the job servers.")
            .WithDescription("Body: {\"cohort\": NAME or \"all\", \"model\": optional (every model the cohort is scored with when absent), \"asOf\": optional instant (now when absent)}. "
                + "202 with the request's key and its enqueued runs; Location lists the runs of this request as they progress.")
            .Produces<RunsRequested>(StatusCodes.Status202Accepted)
            .FailsWithOperationOutcome(StatusCodes.Status400BadRequest);

        admin.MapGet("/runs", async (string? request, int? limit, IMediator mediator, CancellationToken ct) =>
            Results.Json(await mediator.Send(new GetRunsQuery(RequestKey: request, Limit: limit ?? 50), ct), Json))
            .WithSummary("The latest population scoring runs, newest first, with their counts: scored, skipped by reason, failed, tier changes.")
            .WithDescription("Query: request (the key a POST returned: only its runs), limit (default 50).")
            .Produces<IReadOnlyList<RunSummary>>();

        admin.MapGet("/runs/{id:long}", async Task<IResult> (long id, IMediator mediator, CancellationToken ct) =>
            await mediator.Send(new GetRunsQuery(RunId: id), ct) is [var run]
                ? Results.Json(run, Json)
                : new FhirResult(Outcomes.NotFound($"There is no run {id}.")))
            .WithSummary("One population scoring run and its counts.")
            .Produces<RunSummary>()
            .FailsWithOperationOutcome(StatusCodes.Status404NotFound);

        var fhir = app.MapGroup("/fhir/RiskAssessment").WithTags("FHIR").RequireAuthorization(AdminAuthentication.CarePolicy);
        fhir.MapGet("/", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
        {
            var parameters = request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();
            return new FhirResult(await mediator.Send(new SearchRiskAssessmentsQuery(parameters, FhirEndpoints.BaseUrl(request)), ct));
        });
        fhir.MapGet("/{id}", async (string id, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            new FhirResult(await mediator.Send(new SearchRiskAssessmentsQuery([], FhirEndpoints.BaseUrl(request), id), ct)));
        return app;
    }

    private sealed class Located(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
