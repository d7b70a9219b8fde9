using ClinicalCds.Fhir.Ingest;

namespace ClinicalCds.UnitTests;

public sealed class WritePartitionsTests
{
    [Theory]
    [InlineData("Patient", "example", 3)]
    [InlineData("Observation", "1", 5)]
    [InlineData("Encounter", "e1", 13)]
    public void A_resource_has_the_same_partition_in_every_process(string type, string id, int partition) =>
        // Expected values computed outside .NET (32-bit FNV-1a of "type/id", modulo 16), so a process-seeded hash
        // can never slip in: servers on other hosts must agree on every lock.
        Assert.Equal(partition, WritePartitions.Of(type, id));

    [Theory]
    [InlineData("Patient", "example", 17665036384312822979ul)]
    [InlineData("Observation", "1", 17160168869221752693ul)]
    public void A_resources_key_is_the_64_bit_fnv1a_hash_of_type_and_id(string type, string id, ulong key) =>
        // Computed outside .NET (64-bit FNV-1a of "type/id"): the same function as the partitions, at 64 bits.
        Assert.Equal(key, WritePartitions.Key(type, id));

    [Fact]
    public void Partitions_are_used_evenly()
    {
        var counts = new int[WritePartitions.Count];
        var random = new Random(16);
        var bytes = new byte[16];
        for (var i = 0; i < 16_000; i++)
        {
            random.NextBytes(bytes);
            counts[WritePartitions.Of("Observation", new Guid(bytes).ToString())]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1_200));
    }
}
