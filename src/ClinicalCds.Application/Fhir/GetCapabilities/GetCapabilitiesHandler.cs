using ClinicalCds.Application.Fhir.SearchResources;
using ClinicalCds.Fhir;
using Hl7.Fhir.Model;
using Mediator;

namespace ClinicalCds.Application.Fhir.GetCapabilities;

/// <summary>The CapabilityStatement: what a CDS Hooks client may ask of this server when it acts as fhirServer.</summary>
public sealed class GetCapabilitiesHandler(TimeProvider clock) : IQueryHandler<GetCapabilitiesQuery, FhirResponse>
{
    public ValueTask<FhirResponse> Handle(GetCapabilitiesQuery query, CancellationToken cancellationToken)
    {
        var rest = new CapabilityStatement.RestComponent
        {
            Mode = CapabilityStatement.RestfulCapabilityMode.Server,
            Interaction =
            [
                new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction },
                new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Batch },
            ],
            Operation =
            [
                new CapabilityStatement.OperationComponent
                {
                    Name = "import",
                    Definition = "http://clinicalcds.org/fhir/OperationDefinition/import",
                    Documentation = "POST an NDJSON body (application/fhir+ndjson), one resource a line; answers counts and an OperationOutcome naming every rejected line.",
                },
            ],
        };

        rest.Resource.Add(Resource("Patient", []));
        foreach (var type in SearchParameters.SupportedTypes.Order(StringComparer.Ordinal))
        {
            rest.Resource.Add(Resource(type, type switch
            {
                "Encounter" => [("date", SearchParamType.Date), ("type", SearchParamType.Token), ("class", SearchParamType.Token)],
                "Condition" => [("onset-date", SearchParamType.Date), ("recorded-date", SearchParamType.Date), ("code", SearchParamType.Token)],
                "MedicationRequest" => [("authoredon", SearchParamType.Date), ("code", SearchParamType.Token)],
                _ => [("date", SearchParamType.Date), ("code", SearchParamType.Token)],
            }));
        }

        var statement = new CapabilityStatement
        {
            Status = PublicationStatus.Active,
            Date = clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = "ClinicalCds" },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "ClinicalCds FHIR store", Url = query.BaseUrl },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json"],
            Rest = [rest],
        };
        return ValueTask.FromResult(new FhirResponse(FhirResponseKind.Ok, FhirJson.ToUtf8(statement)));
    }

    private static CapabilityStatement.ResourceComponent Resource(string type, (string Name, SearchParamType Type)[] parameters)
    {
        var resource = new CapabilityStatement.ResourceComponent
        {
            Type = type,
            Versioning = CapabilityStatement.ResourceVersionPolicy.Versioned,
            ReadHistory = true,
            Interaction =
            [
                new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Read },
                new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Vread },
                new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.SearchType },
            ],
        };
        resource.SearchParam.Add(new CapabilityStatement.SearchParamComponent { Name = "_id", Type = SearchParamType.Token });
        if (type != "Patient")
        {
            resource.SearchParam.Add(new CapabilityStatement.SearchParamComponent { Name = "patient", Type = SearchParamType.Reference });
        }

        foreach (var (name, kind) in parameters)
        {
            resource.SearchParam.Add(new CapabilityStatement.SearchParamComponent { Name = name, Type = kind });
        }

        return resource;
    }
}
