using ClinicalCds.Api.Admin;
using System.IO.Compression;
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

    public static IEndpointRouteBuilder MapFhir(this IEndpointRouteBuilder app)
    {
        // The CapabilityStatement is public (clients read it to learn how to talk to us); reading patient data needs a
        // care-manager or administrator, writing it an administrator (the data team's key or account).
        var fhir = app.MapGroup("/fhir").WithTags("FHIR");
        var read = fhir.MapGroup("/").RequireAuthorization(AdminAuthentication.CarePolicy);
        var write = fhir.MapGroup("/").RequireAuthorization(AdminAuthentication.Policy);

        fhir.MapGet("/metadata", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            new FhirResult(await mediator.Send(new GetCapabilitiesQuery(BaseUrl(request)), ct)));

        write.MapPost("/", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
        {
            var body = await ReadBodyAsync(request, ct);
            return body is null
                ? new FhirResult(Outcomes.Response(413, Hl7.Fhir.Model.OperationOutcome.IssueType.TooCostly, $"The Bundle is larger than {MaxBundleBytes} bytes."))
                : new FhirResult(BundleResponse.ToResponse(await mediator.Send(new IngestBundleCommand(body), ct)));
        });

        write.MapPost("/$import", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
        {
            request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = null;
            var body = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(request.Body, CompressionMode.Decompress)
                : request.Body;
            await using (body)
            {
                var result = await mediator.Send(new ImportNdjsonCommand(body, "request body"), ct);
                return new FhirResult(ImportReport.ToResponse(result));
            }
        });

        read.MapGet("/{type}", async (string type, HttpRequest request, IMediator mediator, CancellationToken ct) =>
        {
            var parameters = request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();
            return new FhirResult(await mediator.Send(new SearchResourcesQuery(type, parameters, BaseUrl(request)), ct));
        });

        read.MapGet("/{type}/{id}", async (string type, string id, IMediator mediator, CancellationToken ct) =>
            new FhirResult(await mediator.Send(new ReadResourceQuery(type, id), ct)));

        read.MapGet("/{type}/{id}/_history/{version}", async (string type, string id, string version, IMediator mediator, CancellationToken ct) =>
            new FhirResult(await mediator.Send(new ReadResourceQuery(type, id, version), ct)));

        return app;
    }

    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}/fhir";

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
