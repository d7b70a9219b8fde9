using System.Net;
using System.Text.Json.Nodes;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>
/// Configuration is found wherever the command runs (docs/operations.md, "Where files are found"): the real executable,
/// started from a folder that holds nothing of ours, reads the appsettings beside it — so the shipped log levels keep a
/// patient's name out of the log — and finds the models through its home folder; a models folder that is not there
/// stops it with the folder named.
/// </summary>
public sealed class InstallationTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("clinicalcds-elsewhere-").FullName;

    public Task InitializeAsync() => _database.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_elsewhere, recursive: true);
    }

    /// <summary>Only what an operator must give: the database and a key. No log levels, no models folder.</summary>
    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__ClinicalCds"] = _database.ConnectionString,
        ["Admin__ApiKeys__0"] = TestAdmin.Key,
    };

    [Fact]
    public async Task Serve_run_from_another_folder_reads_its_own_settings_finds_the_models_and_keeps_a_searched_name_out_of_the_log()
    {
        var baseUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        await using var server = CliProcess.StartIn(_elsewhere, Environment(), CliProcess.Serve(baseUrl));
        await ServerProbe.WaitUntilLiveAsync(baseUrl, () => server.HasExited, () => server.Output, seconds: 90);

        // The settings in force are the shipped ones, from the executable's folder, not the working directory.
        var shipped = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        Assert.Contains($"configuration files [{shipped}]", server.Output, StringComparison.Ordinal);
        Assert.Contains($"models {Path.Combine(Repository.Root, "models")};", server.Output, StringComparison.Ordinal);
        foreach (var (category, level) in JsonNode.Parse(await File.ReadAllTextAsync(shipped))!["Logging"]!["LogLevel"]!.AsObject())
        {
            Assert.Contains($"{category}={level}", server.Output, StringComparison.Ordinal);
        }

        using var client = TestAdmin.Client(baseUrl);
        var ready = await client.GetStringAsync("/health/ready");
        Assert.Contains($"readmission {Path.GetFileName(Directory.GetDirectories(Path.Combine(Repository.Root, "models", "readmission")).Single())}", ready, StringComparison.Ordinal);

        // A patient in, then searched by surname as a care manager would: the name must not reach the log.
        var bundle = Fixtures.SyntheaBundles.Single(f => Path.GetFileName(f).StartsWith("Loma_Johns_", StringComparison.Ordinal));
        using (var content = new ByteArrayContent(await File.ReadAllBytesAsync(bundle)))
        {
            content.Headers.ContentType = new("application/fhir+json");
            using var imported = await client.PostAsync("/fhir", content);
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        }

        var surname = (string)JsonNode.Parse(await File.ReadAllTextAsync(bundle))!["entry"]!.AsArray()
            .Select(e => e!["resource"]!).First(r => (string)r["resourceType"]! == "Patient")["name"]![0]!["family"]!;
        using var search = await client.GetAsync($"/api/worklist?search={Uri.EscapeDataString(surname)}");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        await Task.Delay(500); // the log is written asynchronously

        Assert.DoesNotContain(surname, server.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SELECT", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_models_folder_without_a_package_is_said_at_start_and_by_readiness_not_served_silently_as_the_published_score()
    {
        // Issue 35 item 8: a server whose models folder holds no package answers every hook with the published score.
        // It says so at start, naming each risk and the folder, and /health/ready says so until a model is there.
        var empty = Directory.CreateDirectory(Path.Combine(_elsewhere, "empty-models")).FullName;
        var environment = Environment();
        environment["Models__Root"] = empty;
        var baseUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        await using var server = CliProcess.StartIn(_elsewhere, environment, CliProcess.Serve(baseUrl));
        await ServerProbe.WaitUntilLiveAsync(baseUrl, () => server.HasExited, () => server.Output, seconds: 90);

        var output = System.Text.RegularExpressions.Regex.Replace(server.Output, @"\s+", " ");
        foreach (var risk in new[] { "readmission", "complication" })
        {
            Assert.Contains($"No {risk} model is served from {empty}: its CDS services and runs answer with the published score only", output, StringComparison.Ordinal);
        }

        using var client = TestAdmin.Client(baseUrl);
        using var ready = await client.GetAsync("/health/ready");
        var report = await ready.Content.ReadAsStringAsync();
        Assert.Contains("no valid readmission model", report, StringComparison.Ordinal);
        Assert.Contains("\"Degraded\"", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("worker")]
    [InlineData("score")]
    public async Task A_models_folder_that_is_not_there_stops_the_command_with_the_folder_named(string verb)
    {
        // Relative, so it resolves against the home folder given.
        var environment = Environment();
        environment["Paths__Home"] = _elsewhere;
        environment["Models__Root"] = "no-such-models";
        string[] args = verb switch
        {
            "serve" => CliProcess.Serve(new Uri($"http://127.0.0.1:{Ports.Free()}")),
            "score" => ["score", "--cohort", "all"],
            _ => [verb],
        };

        await using var process = CliProcess.StartIn(_elsewhere, environment, args);
        await process.WaitForExitAsync(seconds: 90);

        Assert.Equal(2, process.ExitCode);
        // The console wraps long lines at word boundaries.
        var output = System.Text.RegularExpressions.Regex.Replace(process.Output, @"\s+", " ");
        Assert.Contains($"The models folder {Path.Combine(_elsewhere, "no-such-models")} does not exist", output, StringComparison.Ordinal);
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM score_runs"));
    }
}
