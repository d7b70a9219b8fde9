using System.Text.Json;

namespace ClinicalCds.Application.Abstractions;

/// <summary>What a fhirServer answered for one query, or one page of it: its resources as JSON, or why it could not be read.</summary>
public sealed record FhirFetch(IReadOnlyList<JsonElement> Resources, string? Failure)
{
    public bool Succeeded => Failure is null;

    /// <summary>The total the search's first page states, when it states one (to check the pages held it all).</summary>
    public int? Total { get; init; }
}

/// <summary>Reads from a CDS Client's fhirServer on its behalf, with the access token it passed in fhirAuthorization.</summary>
public interface IFhirServerClient
{
    /// <summary>
    /// GET <paramref name="relativeQuery"/> (e.g. "Patient/123", "Condition?patient=123") and every next page, each page as
    /// it arrives — the next one already requested, so the caller reads a page while the server prepares the next — or
    /// a failure, which ends the pages (what came before it is then incomplete). Unless <paramref name="listed"/> (a
    /// server the configuration names), only public addresses are connected to.
    /// </summary>
    IAsyncEnumerable<FhirFetch> FetchPagesAsync(Uri fhirServer, bool listed, string? accessToken, string relativeQuery, CancellationToken cancellationToken);
}
