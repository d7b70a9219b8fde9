using ClinicalCds.Fhir.Ingest;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>
/// The resources an initial load has been given, as 64-bit FNV-1a hashes of type/id (16 bytes a resource instead of
/// its strings). A hash seen before means the resource may come again: the load must end before it is written. A
/// collision only ends the load early (≈ 10⁻⁷ at 1.7 million resources); it never lets a repeat through.
/// </summary>
internal sealed class ResourceKeys
{
    private readonly HashSet<ulong> _seen = [];

    /// <summary>Records the batch's resources; false (recording nothing) when one of them was in an earlier batch.</summary>
    public bool TryClaim(IReadOnlyList<PreparedResource> batch)
    {
        // Repeats within one batch are fine: a write keeps the last occurrence, as the store does.
        var keys = new HashSet<ulong>(batch.Count);
        foreach (var resource in batch)
        {
            keys.Add(Hash(resource.ResourceType, resource.Id));
        }

        if (keys.Overlaps(_seen))
        {
            return false;
        }

        _seen.UnionWith(keys);
        return true;
    }

    private static ulong Hash(string resourceType, string id)
    {
        const ulong Prime = 1099511628211ul;
        var hash = 14695981039346656037ul;
        foreach (var c in resourceType)
        {
            hash = (hash ^ c) * Prime;
        }

        hash = (hash ^ '/') * Prime;
        foreach (var c in id)
        {
            hash = (hash ^ c) * Prime;
        }

        return hash;
    }
}
