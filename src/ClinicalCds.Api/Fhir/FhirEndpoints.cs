using ClinicalCds.Api.Admin;
using System.IO.Compression;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Application.Fhir.GetCapabilities;
using ClinicalCds.Application.Fhir.ImportNdjson;
using ClinicalCds.Application.Fhir.IngestBundle;
using ClinicalCds.Application.Fhir.ReadResource;
using ClinicalCds.Application.Fhir.SearchResources;
using ClinicalCds.Fhir;
using Mediator;
using Microsoft.AspNetCore.Http.Features;

namespace ClinicalCds.Api.Fhir;

/// <summary>The FHIR R4 REST API: thin translations between HTTP and the FHIR use cases.</summary>
public static class FhirEndpoints
{
    /// <summary>The largest Bundle accepted in one POST (Synthea's largest patient Bundles are a few MB).</summary>
    public const long MaxBundleBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Setting that opens reading (never writing) to anyone who can reach the server: for demonstrations with a browser
    /// client that cannot present a token (the CDS Hooks sandbox). Off by default; a warning is logged at start-up.
    /// </summary>
    public const string AnonymousReadSetting = "Fhir:AnonymousRead";

    public static IEndpointRouteBuilder MapFhir(this IEndpointRouteBuilder app, bool anonymousRead)
    {
        // The CapabilityStatement is public (clients read it to learn how to talk to us); reading patient data needs a
        // care-manager or administrator (unless anonymous reading is switched on), writing it an administrator (the
        // data team's key or account). Browser clients of the configured origins may call it (CORS).
        var fhir = app.MapGroup("/fhir").WithTags("FHIR").RequireCors(CdsHooks.CdsHooksEndpoints.CorsPolicy);
        var read = anonymousRead ? fhir.MapGroup("/").AllowAnonymous() : fhir.MapGroup("/").RequireAuthorization(AdminAuthentication.CarePolicy);
        var write = fhir.MapGroup("/").RequireAuthorization(AdminAuthentication.Policy);

        fhir.MapGet("/metadata", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            new FhirResult(await mediator.Send(new GetCapabilitiesQuery(BaseUrl(request)), ct)));

        write.MapPost("/", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
        {
            if (Unsupported(request, BundleMediaTypes, "A Bundle") is { } refused)
            {
                return refused;
            }

            var body = await ReadBodyAsync(request, ct);
            return body is null
                ? FhirResult.Problem(413, Hl7.Fhir.Model.OperationOutcome.IssueType.TooCostly, $"The Bundle is larger than {MaxBundleBytes} bytes.")
                : new FhirResult(BundleResponse.ToResponse(await mediator.Send(new IngestBundleCommand(body), ct)));
        });

        write.MapPost("/$import", async (HttpRequest request, IMediator mediator, IConfiguration configuration, CancellationToken ct) =>
        {
            if (Unsupported(request, NdjsonMediaTypes, "NDJSON to import") is { } refused)
            {
                return refused;
            }

            request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = null;
            var body = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(request.Body, CompressionMode.Decompress)
                : request.Body;
            await using (body)
            {
                // What an import holds is bounded by Fhir:ImportBatchMegabytes (default 32) whatever the compression ratio.
                var result = await mediator.Send(new ImportNdjsonCommand(body, "request body")
                {
                    MaxBatchBytes = Math.Max(1, configuration.GetValue("Fhir:ImportBatchMegabytes", 32)) * 1024L * 1024,
                }, ct);
                return new FhirResult(ImportReport.ToResponse(result));
            }
        });

        read.MapGet("/{type}", async (string type, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            new FhirResult(await mediator.Send(new SearchResourcesQuery(type, Pairs(request.Query), BaseUrl(request)), ct)));

        // FHIR R4 "search using POST": the parameters as a form body, with any in the URL; the same answer as GET.
        read.MapPost("/{type}/_search", async (string type, HttpRequest request, IMediator mediator, CancellationToken ct) =>
        {
            if (!request.HasFormContentType || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
            {
                return FhirResult.Problem(415, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported,
                    "A search by POST has its parameters as application/x-www-form-urlencoded.");
            }

            var form = await request.ReadFormAsync(ct);
            return new FhirResult(await mediator.Send(new SearchResourcesQuery(type, [.. Pairs(request.Query), .. Pairs(form)], BaseUrl(request)), ct));
        });

        read.MapGet("/{type}/{id}", async (string type, string id, IMediator mediator, CancellationToken ct) =>
            new FhirResult(await mediator.Send(new ReadResourceQuery(type, id), ct)));

        read.MapGet("/{type}/{id}/_history/{version}", async (string type, string id, string version, IMediator mediator, CancellationToken ct) =>
            new FhirResult(await mediator.Send(new ReadResourceQuery(type, id, version), ct)));

        return app;
    }

    private static List<KeyValuePair<string, string>> Pairs(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> values) =>
        values.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();

    private static readonly string[] BundleMediaTypes = ["application/fhir+json", "application/json", "application/json+fhir"];

    private static readonly string[] NdjsonMediaTypes = ["application/fhir+ndjson", "application/x-ndjson", "application/ndjson"];

    /// <summary>
    /// A write only in its own media type (issue 33 item 4): an HTML form on another site — even one on the same site,
    /// which SameSite cookies do not stop — can send only text/plain, form or multipart bodies without a CORS preflight,
    /// so a signed-in administrator's browser cannot be made to write ConceptMaps or patients by it. 415 otherwise.
    /// </summary>
    private static FhirResult? Unsupported(HttpRequest request, string[] allowed, string what)
    {
        var mediaType = request.ContentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return mediaType is not null && allowed.Contains(mediaType) ? null
            : FhirResult.Problem(415, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported,
                $"{what} is sent as {string.Join(" or ", allowed)}, not {(string.IsNullOrEmpty(request.ContentType) ? "without a Content-Type" : request.ContentType)}.");
    }

    /// <summary>The FHIR base as this server is publicly known (<see cref="Hosting.PublicAddress"/>), never from the request's Host.</summary>
    public static string BaseUrl(HttpRequest request) => $"{request.HttpContext.RequestServices.GetRequiredService<CdsHooksOptions>().PublicBaseUrl}{request.PathBase}/fhir";

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = MaxBundleBytes + 1;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBundleBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
