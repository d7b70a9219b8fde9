using System.Net;
using System.Text;
using System.Text.Json;
using ClinicalCds.Api.Hosting;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Microsoft.AspNetCore.Builder;

namespace ClinicalCds.IntegrationTests.CdsHooks;

/// <summary>
/// The requests in cds-hooks/examples/ are real calls against the demo's data: the demo's population (seed 42, active
/// patients as of 00:00 UTC today) on the real server as the demo runs it (store fallback on; client authentication off,
/// as for a local try), each example replayed as it is to the service its file names, each answered 200 with a card.
/// </summary>
public sealed class CdsHookExamplesTests(DemoServerFixture demo) : IClassFixture<DemoServerFixture>
{
    private static readonly string Examples = Path.Combine(Repository.Root, "cds-hooks", "examples");

    private static string[] Files() =>
        [.. Directory.GetFiles(Examples, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> ExampleFiles() => new(Files());

    [Fact]
    public void There_is_an_example_for_every_service()
    {
        using var services = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "cds-hooks", "services.json")));
        var ids = services.RootElement.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("id").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(ids, Files().Select(Path.GetFileNameWithoutExtension));
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public async Task Each_example_answers_200_with_a_card_against_the_demo_data(string file)
    {
        var body = await File.ReadAllTextAsync(Path.Combine(Examples, file));
        using var client = new HttpClient { BaseAddress = demo.BaseUrl };
        using var response = await client.PostAsync($"/cds-services/{Path.GetFileNameWithoutExtension(file)}", new StringContent(body, Encoding.UTF8, "application/json"));

        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{file}: {(int)response.StatusCode} {answer}");
        using var json = JsonDocument.Parse(answer);
        var cards = json.RootElement.GetProperty("cards");
        Assert.True(cards.GetArrayLength() >= 1, $"{file} answered no card: {answer}");
        Assert.All(cards.EnumerateArray(), card => Assert.False(string.IsNullOrWhiteSpace(card.GetProperty("summary").GetString())));
    }
}

/// <summary>The demo's first 200 patients as of 00:00 UTC today on the real server, configured as the demo is.</summary>
public sealed class DemoServerFixture : IAsyncLifetime
{
    private readonly string _population = Path.Combine(Path.GetTempPath(), $"clinicalcds-examples-{Guid.NewGuid():N}");
    private readonly TestDatabase _database = new();
    private WebApplication? _api;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        // The demo's generation (scripts/demo.sh) cut to its first 200 patients: kept patients come in simulation
        // order, so these are the first 200 of the demo's 2,000.
        var today = DateTime.UtcNow.Date;
        PopulationGenerator.Generate(new SyntheticOptions(200, 42, DateTime.SpecifyKind(today, DateTimeKind.Utc)) { RecentCareDays = 30 }, _population);

        var server = await TestServer.StartAsync(_database.ConnectionString,
        [
            $"--Models:Root={Path.Combine(Repository.Root, "models")}",
            "--CdsHooks:RequireAuthentication=false",
            "--CdsHooks:StoreFallback=true",
            "--Models:GoLive:Required=false",
        ]);
        (_api, BaseUrl) = (server.App, server.BaseUrl);

        using var admin = TestAdmin.Client(BaseUrl);
        await TestAdmin.ImportPopulationAsync(admin, _population);
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _database.DisposeAsync();
        Directory.Delete(_population, recursive: true);
    }
}
