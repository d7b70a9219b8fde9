using ClinicalCds.Fhir;
using Mediator;

namespace ClinicalCds.Application.Fhir.ReadResource;

/// <summary>GET /fhir/{type}/{id} and GET /fhir/{type}/{id}/_history/{version}.</summary>
public sealed record ReadResourceQuery(string ResourceType, string Id, string? VersionId = null) : IQuery<FhirResponse>;
