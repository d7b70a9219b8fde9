using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClinicalCds.Api.Hosting;

/// <summary>
/// The OpenAPI document (`/openapi/v1.json`, read at `/api/reference`): every JSON API a hospital integrates with — the
/// worklist and patient risk, population scoring, monitoring, feedback analytics and the CDS Hooks services — and, by
/// reference, the FHIR API (its CapabilityStatement describes it in FHIR's own terms) and the health probes.
/// </summary>
public static class ApiDocument
{
    /// <summary>The paths the document describes (pages, downloads and the FHIR API are not in it).</summary>
    private static readonly string[] Described = ["api/", "admin/scoring/", "admin/cds/", "cds-services"];

    public const string Title = "ClinicalCds API";

    public const string Description = """
        The JSON APIs of a ClinicalCds server, for the hospital's integration engineers.

        **Who may call what.** The worklist, patient-risk and reference routes need a signed-in care manager or
        administrator (the session cookie of the sign-in page, or `Authorization: Bearer` with an admin API key); the
        `/admin/...` and `/api/admin/...` routes need an administrator. The CDS Hooks services need a client JWT
        (`Authorization: Bearer`, CDS Hooks 2.0 "Trusting CDS Clients") and answer a bare 401 without a valid one;
        discovery is open. Failures other than 401/403 are FHIR `OperationOutcome` resources (`application/fhir+json`)
        naming each problem.

        **CDS Hooks** (`/cds-services`): discovery, service calls and feedback exactly as the specification defines them —
        https://cds-hooks.hl7.org/2.0/ — for the hooks `encounter-discharge`, `encounter-start` and `patient-view`.
        Request and response bodies are the specification's; this document names their status codes.

        **FHIR R4** (`/fhir`): the FHIR store (transaction and batch Bundles, bulk NDJSON `$import`, read, version read,
        search) and the score history as `RiskAssessment` resources. It is described in FHIR's own terms by its
        CapabilityStatement at `GET /fhir/metadata` (resources, interactions, search parameters), not here.

        **Health** (anonymous, for load balancers): `GET /health/live` (the process serves HTTP) and `GET /health/ready`
        (PostgreSQL, models, job storage, input drift, result feed, model performance, as JSON; 503 when a dependency is down).
        """;

    /// <summary>The endpoint's failures with these statuses are FHIR OperationOutcomes.</summary>
    public static RouteHandlerBuilder FailsWithOperationOutcome(this RouteHandlerBuilder endpoint, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            endpoint.Produces(status, typeof(System.Text.Json.Nodes.JsonObject), "application/fhir+json");
        }

        return endpoint;
    }

    public static void Configure(OpenApiOptions options)
    {
        options.ShouldInclude = description => description.RelativePath is { } path && Described.Any(p => path.StartsWith(p, StringComparison.Ordinal));
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo { Title = Title, Version = "v1", Description = Description };
            return Task.CompletedTask;
        });
    }
}
