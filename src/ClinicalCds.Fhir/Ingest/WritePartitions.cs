namespace ClinicalCds.Fhir.Ingest;

/// <summary>
/// Resources are written under one lock per partition of their (type, id), so writes of disjoint partitions run in
/// parallel — across connections and server processes — while two writes of the same resource never interleave.
/// The hash is FNV-1a over the characters: the same in every process (string.GetHashCode is not).
/// </summary>
public static class WritePartitions
{
    public const int Count = 16;

    public static int Of(string resourceType, string id)
    {
        var hash = 2166136261u;
        foreach (var c in resourceType)
        {
            hash = (hash ^ c) * 16777619u;
        }

        hash = (hash ^ '/') * 16777619u;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Count);
    }
}
