using ClinicalCds.Fhir;

namespace ClinicalCds.Api.Fhir;

/// <summary>Writes a <see cref="FhirResponse"/> as HTTP: status, application/fhir+json, ETag, Last-Modified, Location.</summary>
public sealed class FhirResult(FhirResponse response) : IResult
{
    public const string ContentType = "application/fhir+json; charset=utf-8";

    public FhirResponse Response => response;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var http = httpContext.Response;
        http.StatusCode = response.Status;
        http.ContentType = ContentType;
        if (response.ETag is not null)
        {
            http.Headers.ETag = response.ETag;
        }

        if (response.LastModified is { } modified)
        {
            http.Headers.LastModified = modified.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (response.Location is not null)
        {
            http.Headers.Location = response.Location;
        }

        await http.Body.WriteAsync(response.Json, httpContext.RequestAborted);
    }
}
