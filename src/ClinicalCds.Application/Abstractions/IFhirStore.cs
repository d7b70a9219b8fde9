using ClinicalCds.Fhir.Ingest;

namespace ClinicalCds.Application.Abstractions;

public enum WriteStatus
{
    Created,
    Updated,
    Unchanged,
}

/// <summary>What the store did with one resource: its current version after the write.</summary>
public sealed record WriteOutcome(string ResourceType, string Id, int VersionId, WriteStatus Status, DateTimeOffset LastUpdated);

/// <summary>A stored resource version, its JSON carrying meta.versionId and meta.lastUpdated.</summary>
public sealed record StoredResource(string ResourceType, string Id, int VersionId, DateTimeOffset LastUpdated, string Json);

/// <summary>A page of search results and the total number of matches.</summary>
public sealed record SearchPage(IReadOnlyList<StoredResource> Resources, long Total);

/// <summary>
/// The FHIR resource store: every version of every resource as received, plus the clinical projections of the
/// current versions, written in one transaction.
/// </summary>
public interface IFhirStore
{
    /// <summary>
    /// Writes resources idempotently: an unchanged resource (same content hash as its current version) is left
    /// alone, a changed one becomes a new current version. A resource appearing twice keeps its last occurrence.
    /// </summary>
    Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<PreparedResource> resources, CancellationToken cancellationToken);

    Task<StoredResource?> ReadAsync(string resourceType, string id, int? versionId, CancellationToken cancellationToken);

    Task<SearchPage> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, long>> CountCurrentByTypeAsync(CancellationToken cancellationToken);
}
