using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using Hl7.Fhir.Model;

namespace ClinicalCds.Application.Fhir.IngestBundle;

/// <summary>A Bundle's result as FHIR: a transaction-response or batch-response Bundle, or a 400 OperationOutcome.</summary>
public static class BundleResponse
{
    public static FhirResponse ToResponse(IngestBundleResult result)
    {
        if (result.Rejected)
        {
            return Outcomes.BadRequest([.. result.Errors]);
        }

        var bundle = new Bundle
        {
            Type = result.Kind == BundleKind.Transaction ? Bundle.BundleType.TransactionResponse : Bundle.BundleType.BatchResponse,
        };
        foreach (var entry in result.Entries)
        {
            var response = entry.Outcome is { } outcome
                ? new Bundle.ResponseComponent
                {
                    Status = outcome.Status == WriteStatus.Created ? "201 Created" : "200 OK",
                    Location = $"{outcome.ResourceType}/{outcome.Id}/_history/{outcome.VersionId}",
                    Etag = $"W/\"{outcome.VersionId}\"",
                    LastModified = outcome.LastUpdated,
                }
                : new Bundle.ResponseComponent
                {
                    Status = "400 Bad Request",
                    Outcome = Outcomes.Of(OperationOutcome.IssueType.Invalid, entry.Errors),
                };
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = entry.FullUrl, Response = response });
        }

        return new FhirResponse(FhirResponseKind.Ok, FhirJson.ToUtf8(bundle));
    }
}
