namespace ClinicalCds.Fhir;

/// <summary>What a FHIR interaction came to, in FHIR's RESTful terms: the API alone gives each its HTTP status.</summary>
public enum FhirResponseKind
{
    /// <summary>The interaction succeeded: the resource, the searchset, the transaction-response, the import's counts.</summary>
    Ok,

    /// <summary>The request cannot be processed as sent (the OperationOutcome names each problem).</summary>
    Invalid,

    /// <summary>The resource, or the version, is not there.</summary>
    NotFound,
}

/// <summary>A FHIR answer: what it came to, its JSON body and the headers FHIR's RESTful API defines.</summary>
public sealed record FhirResponse(FhirResponseKind Kind, byte[] Json, string? Location = null, string? ETag = null, DateTimeOffset? LastModified = null);
