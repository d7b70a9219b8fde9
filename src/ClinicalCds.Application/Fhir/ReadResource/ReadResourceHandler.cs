using System.Text;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using Hl7.Fhir.Model;
using Mediator;

namespace ClinicalCds.Application.Fhir.ReadResource;

public sealed class ReadResourceHandler(IFhirStore store) : IQueryHandler<ReadResourceQuery, FhirResponse>
{
    public async ValueTask<FhirResponse> Handle(ReadResourceQuery query, CancellationToken cancellationToken)
    {
        if (!ModelInfo.IsKnownResource(query.ResourceType))
        {
            return Outcomes.BadRequest($"'{query.ResourceType}' is not a FHIR R4 resource type.");
        }

        if (!ResourcePreparer.IsValidId(query.Id))
        {
            return Outcomes.BadRequest("The id is not a valid FHIR id.");
        }

        int? version = null;
        if (query.VersionId is not null)
        {
            if (!int.TryParse(query.VersionId, out var v) || v < 1)
            {
                return Outcomes.BadRequest("The version id must be a positive integer.");
            }

            version = v;
        }

        var stored = await store.ReadAsync(query.ResourceType, query.Id, version, cancellationToken);
        if (stored is null)
        {
            return Outcomes.NotFound(version is null
                ? $"{query.ResourceType}/{query.Id} is not known."
                : $"{query.ResourceType}/{query.Id} has no version {version}.");
        }

        return new FhirResponse(FhirResponseKind.Ok, Encoding.UTF8.GetBytes(stored.Json), ETag: $"W/\"{stored.VersionId}\"", LastModified: stored.LastUpdated);
    }
}
