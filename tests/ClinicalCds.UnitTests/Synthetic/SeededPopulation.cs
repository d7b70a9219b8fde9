using ClinicalCds.Synthetic;

namespace ClinicalCds.UnitTests.Synthetic;

/// <summary>
/// 3,000 synthetic patients drawn with seed 2026, once for every test that holds the simulator to the literature
/// (deterioration physiology, readmission epidemiology): a fixed seed, so the numbers are the same on every run and a
/// change to the simulator that moves them away from the published targets fails here.
/// </summary>
public sealed class SeededPopulation : IDisposable
{
    public const int Patients = 3000;
    public const ulong Seed = 2026;

    public string Folder { get; } = Directory.CreateTempSubdirectory("clinicalcds-seeded-").FullName;

    public SeededPopulation() => PopulationGenerator.Generate(new SyntheticOptions(Patients, Seed, SyntheticOptions.DefaultAsOf), Folder);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class SeededPopulationCollection : ICollectionFixture<SeededPopulation>
{
    public const string Name = "Seeded synthetic population";
}
