using ClinicalCds.Fhir;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;

namespace ClinicalCds.Api.Fhir;

/// <summary>
/// Writes a FHIR answer as HTTP: status, application/fhir+json, ETag, Last-Modified, Location. The use cases say what an
/// interaction came to (<see cref="FhirResponseKind"/>); this is the one place it becomes a status (issue 34 item 2).
/// </summary>
public sealed class FhirResult : IResult
{
    public const string ContentType = "application/fhir+json; charset=utf-8";

    private readonly int _status;

    public FhirResult(FhirResponse response)
    {
        Response = response;
        _status = response.Kind switch
        {
            FhirResponseKind.Ok => StatusCodes.Status200OK,
            FhirResponseKind.Invalid => StatusCodes.Status400BadRequest,
            FhirResponseKind.NotFound => StatusCodes.Status404NotFound,
            _ => throw new ArgumentOutOfRangeException(nameof(response), response.Kind, "No status for this kind of answer."),
        };
    }

    private FhirResult(int status, FhirResponse response)
    {
        Response = response;
        _status = status;
    }

    /// <summary>An OperationOutcome with a status the HTTP layer itself decides (413, 415, 429, 503, the CDS Hooks statuses…).</summary>
    public static FhirResult Problem(int status, OperationOutcome.IssueType type, params string[] messages) =>
        new(status, new FhirResponse(status < 400 ? FhirResponseKind.Ok : FhirResponseKind.Invalid, FhirJson.ToUtf8(Outcomes.Of(type, messages))));

    public FhirResponse Response { get; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var http = httpContext.Response;
        http.StatusCode = _status;
        http.ContentType = ContentType;
        if (Response.ETag is not null)
        {
            http.Headers.ETag = Response.ETag;
        }

        if (Response.LastModified is { } modified)
        {
            http.Headers.LastModified = modified.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Response.Location is not null)
        {
            http.Headers.Location = Response.Location;
        }

        await http.Body.WriteAsync(Response.Json, httpContext.RequestAborted);
    }
}
