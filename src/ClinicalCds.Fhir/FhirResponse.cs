namespace ClinicalCds.Fhir;

/// <summary>An HTTP answer carrying FHIR JSON: status, body and the headers FHIR's RESTful API defines.</summary>
public sealed record FhirResponse(int Status, byte[] Json, string? Location = null, string? ETag = null, DateTimeOffset? LastModified = null);
