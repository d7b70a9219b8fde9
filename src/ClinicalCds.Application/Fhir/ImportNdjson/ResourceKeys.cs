using ClinicalCds.Fhir.Ingest;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>
/// The resources an initial load has been given, as their 64-bit <see cref="WritePartitions.Key"/> (16 bytes a
/// resource in the set, instead of its strings). A key seen before means the resource may come again: the load must
/// end before it is written. A collision only ends the load early (≈ 10⁻⁷ at 1.7 million resources); it never lets a
/// repeat through.
/// </summary>
internal sealed class ResourceKeys
{
    private readonly HashSet<ulong> _seen = [];

    /// <summary>Records the batch's resources; false (recording nothing) when one of them was in an earlier batch.</summary>
    public bool TryClaim(IReadOnlyList<PreparedResource> batch)
    {
        // Repeats within one batch are fine: a write keeps the last occurrence, as the store does. Each lookup is in
        // the set (O(1)); the set is never enumerated, which would make a load quadratic in its size.
        var keys = new ulong[batch.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = WritePartitions.Key(batch[i].ResourceType, batch[i].Id);
            if (_seen.Contains(keys[i]))
            {
                return false;
            }
        }

        _seen.UnionWith(keys);
        return true;
    }
}
