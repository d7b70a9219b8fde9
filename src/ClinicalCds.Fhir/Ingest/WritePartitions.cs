using System.Numerics;

namespace ClinicalCds.Fhir.Ingest;

/// <summary>
/// Resources are written under one lock per partition of their (type, id), so writes of disjoint partitions run in
/// parallel — across connections and server processes — while two writes of the same resource never interleave.
/// The hash is FNV-1a over the characters: the same in every process (string.GetHashCode is not).
/// </summary>
public static class WritePartitions
{
    public const int Count = 16;

    public static int Of(string resourceType, string id) => (int)(Fnv1a(resourceType, id, 2166136261u, 16777619u) % Count);

    /// <summary>A 64-bit FNV-1a hash of type/id: a resource's key in 8 bytes, for telling resources apart in memory.</summary>
    public static ulong Key(string resourceType, string id) => Fnv1a(resourceType, id, 14695981039346656037ul, 1099511628211ul);

    private static T Fnv1a<T>(string resourceType, string id, T offsetBasis, T prime)
        where T : IBinaryInteger<T>
    {
        var hash = offsetBasis;
        foreach (var c in resourceType)
        {
            hash = (hash ^ T.CreateTruncating(c)) * prime;
        }

        hash = (hash ^ T.CreateTruncating('/')) * prime;
        foreach (var c in id)
        {
            hash = (hash ^ T.CreateTruncating(c)) * prime;
        }

        return hash;
    }
}
