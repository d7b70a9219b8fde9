using ClinicalCds.Synthetic;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>A synthetic population imported by the real CLI into a fresh database, for runs worked on by real worker processes.</summary>
public sealed class WorkerPopulationFixture : IAsyncLifetime
{
    private readonly string _population = Path.Combine(Path.GetTempPath(), $"clinicalcds-workers-{Guid.NewGuid():N}");

    public TestDatabase Database { get; } = new();

    public Dictionary<string, string> Environment { get; } = [];

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        PopulationGenerator.Generate(new SyntheticOptions(300, 41, SyntheticOptions.DefaultAsOf), _population);
        foreach (var (name, value) in WorkerEnvironment(Database.ConnectionString))
        {
            Environment[name] = value;
        }
        var (exit, output) = await CliProcess.RunAsync(Environment, "import", _population);
        Assert.True(exit == 0, output);
    }

    /// <summary>
    /// What every worker-process test runs with: small chunks, so a run is many jobs; one job at a time per worker; a dead
    /// worker's job taken over after 6 s, and a lock it held while it was killed expired after 5 s.
    /// </summary>
    public static Dictionary<string, string> WorkerEnvironment(string connectionString) => new()
    {
        ["ConnectionStrings__ClinicalCds"] = connectionString,
        ["Models__Root"] = Path.Combine(Repository.Root, "models"),
        ["Scoring__AsOf"] = new DateTimeOffset(SyntheticOptions.DefaultAsOf).ToString("O"),
        ["Scoring__ChunkSize"] = "4",
        ["Jobs__WorkerCount"] = "1",
        ["Jobs__InvisibilityTimeoutSeconds"] = "6",
        ["Jobs__DistributedLockTimeoutSeconds"] = "5",
        ["Jobs__QueuePollIntervalSeconds"] = "1",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Hangfire"] = "Information",
    };

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        Directory.Delete(_population, recursive: true);
    }
}
