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

/// <summary>Writes prepared resources, with their projections, in one transaction per call.</summary>
public interface IResourceWriter
{
    /// <summary>
    /// Writes resources idempotently: an unchanged resource (same content as its current version) is left alone, a
    /// changed one becomes a new current version. A resource appearing twice in one call keeps its last occurrence.
    /// </summary>
    Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<PreparedResource> resources, CancellationToken cancellationToken);
}

/// <summary>
/// The FHIR resource store: every version of every resource as received, plus the clinical projections of the
/// current versions, written in one transaction.
/// </summary>
public interface IFhirStore : IResourceWriter
{
    /// <summary>
    /// Starts an <see cref="IInitialLoad"/> when the store holds no resource yet; null when it holds some. Waits for
    /// writes in progress.
    /// </summary>
    Task<IInitialLoad?> TryBeginInitialLoadAsync(CancellationToken cancellationToken);

    Task<StoredResource?> ReadAsync(string resourceType, string id, int? versionId, CancellationToken cancellationToken);

    Task<SearchPage> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, long>> CountCurrentByTypeAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The first load of an empty store, done as PostgreSQL's manual advises for populating a database: the rows first,
/// the indexes built once at the end. While it runs, every other writer waits. Its writes create version 1 of
/// resources it has not been given before: the caller must send a resource it has already written to the store
/// instead, after completing the load (a second version needs the comparison with the first).
/// <see cref="CompleteAsync"/> builds the indexes; disposing an uncompleted load builds them too. If the process
/// dies meanwhile, the next writer or migration builds them, and what was written stays.
/// </summary>
public interface IInitialLoad : IResourceWriter, IAsyncDisposable
{
    Task CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>One batch of re-derived resources: how many, and the last id (the next batch starts after it).</summary>
public sealed record RederivedBatch(int Count, string? LastId);

/// <summary>
/// Re-derives the clinical projections of stored resources from their stored JSON (when the terminology or the
/// encounter rules changed): no re-import, the resources and their versions untouched.
/// </summary>
public interface IFactRederivation
{
    /// <summary>
    /// The current resources of <paramref name="resourceType"/> after <paramref name="afterId"/> (id order), at most
    /// <paramref name="batchSize"/>, read and re-projected through <paramref name="map"/> in one transaction that holds
    /// their write partitions (so no concurrent write interleaves). Idempotent.
    /// </summary>
    Task<RederivedBatch> RederiveBatchAsync(
        string resourceType, string? afterId, int batchSize, Func<System.Text.Json.JsonElement, ClinicalCds.Domain.Clinical.ProjectedFacts> map,
        CancellationToken cancellationToken);
}
