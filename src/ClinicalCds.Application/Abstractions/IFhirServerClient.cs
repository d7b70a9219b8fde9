using System.Text.Json;

namespace ClinicalCds.Application.Abstractions;

/// <summary>What a fhirServer answered for one query: its resources as JSON (every page), or why it could not be read.</summary>
public sealed record FhirFetch(IReadOnlyList<JsonElement> Resources, string? Failure)
{
    public bool Succeeded => Failure is null;
}

/// <summary>Reads from a CDS Client's fhirServer on its behalf, with the access token it passed in fhirAuthorization.</summary>
public interface IFhirServerClient
{
    /// <summary>GET <paramref name="relativeQuery"/> (e.g. "Patient/123", "Condition?patient=123") and every next page.</summary>
    Task<FhirFetch> FetchAsync(Uri fhirServer, string? accessToken, string relativeQuery, CancellationToken cancellationToken);
}
