using ClinicalCds.Fhir;
using Mediator;

namespace ClinicalCds.Application.Fhir.SearchResources;

/// <summary>GET /fhir/{type}?... ; <paramref name="BaseUrl"/> is the absolute base of the FHIR endpoint (for links).</summary>
public sealed record SearchResourcesQuery(string ResourceType, IReadOnlyList<KeyValuePair<string, string>> Parameters, string BaseUrl)
    : IQuery<FhirResponse>;
