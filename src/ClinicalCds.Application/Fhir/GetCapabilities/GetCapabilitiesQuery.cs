using ClinicalCds.Fhir;
using Mediator;

namespace ClinicalCds.Application.Fhir.GetCapabilities;

/// <summary>GET /fhir/metadata; <paramref name="BaseUrl"/> is the absolute base of the FHIR endpoint.</summary>
public sealed record GetCapabilitiesQuery(string BaseUrl) : IQuery<FhirResponse>;
