using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring.GetRuns;
using ClinicalCds.Synthetic;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>
/// The real server (Kestrel) running its own Hangfire server on a fresh database holding a synthetic population, with
/// the shipped models, an admin key, and an external FHIR server (a recorder) that RiskAssessments are delivered to.
/// </summary>
public class ScoringServerFixture : IAsyncLifetime
{
    private readonly string _modelsRoot;
    private readonly int _patients;
    private readonly string[] _settings;

    public ScoringServerFixture()
        : this(Path.Combine(Repository.Root, "models"), 300)
    {
    }

    /// <summary>A server of the same kind on another models folder, population size and extra settings.</summary>
    protected ScoringServerFixture(string modelsRoot, int patients, params string[] settings)
    {
        _modelsRoot = modelsRoot;
        _patients = patients;
        _settings = settings;
    }

    /// <summary>The tests that share this one server (and its database) run one after another.</summary>
    public const string Collection = "scoring server";

    public const int ChunkSize = 40;
    public const string CareManager = "care.manager@hospital.test";
    public const string Admin = "admin@hospital.test";
    public const string Password = "correct horse battery staple";

    private readonly string _population = Path.Combine(Path.GetTempPath(), $"clinicalcds-scoring-{Guid.NewGuid():N}");
    private WebApplication? _api;
    private WebApplication? _receiver;

    public TestDatabase Database { get; } = new();

    /// <summary>The generated population's folder, with its ground truth (ground-truth/*.csv).</summary>
    public string Population => _population;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The models folder the server serves from.</summary>
    public string ModelsRoot => _modelsRoot;
    public IServiceProvider Services => _api!.Services;
    public DateTimeOffset AsOf { get; } = new(SyntheticOptions.DefaultAsOf);

    /// <summary>The monitoring's lag rule here: the tests score runs up to a fortnight apart, each over the 30 days before it.</summary>
    public const int MonitoringMaxLagHours = 744;

    /// <summary>The environment a CLI process needs to act on this server's database, models and instant, by its rules.</summary>
    public Dictionary<string, string> CliEnvironment() => new()
    {
        ["ConnectionStrings__ClinicalCds"] = Database.ConnectionString,
        ["Models__Root"] = ModelsRoot,
        ["Scoring__AsOf"] = AsOf.ToString("O"),
        ["Scoring__MonitoringMaxLagHours"] = MonitoringMaxLagHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Every transaction Bundle the external FHIR server received.</summary>
    public ConcurrentQueue<JsonDocument> Delivered { get; } = new();

    /// <summary>While set, the external FHIR server answers 503 to everything.</summary>
    public volatile bool ReceiverDown;

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();

        var receiver = WebApplication.CreateSlimBuilder();
        receiver.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        _receiver = receiver.Build();
        _receiver.MapPost("/fhir", async (HttpRequest request) =>
        {
            if (ReceiverDown)
            {
                return Results.StatusCode(503);
            }

            Delivered.Enqueue(await JsonDocument.ParseAsync(request.Body));
            return Results.Json(new { resourceType = "Bundle", type = "transaction-response" });
        });
        await _receiver.StartAsync();

        var server = await TestServer.StartAsync(Database.ConnectionString,
        [
            $"--Models:Root={_modelsRoot}",
            "--Models:GoLive:Required=false",
            "--Jobs:RunServerInApi=true",
            "--Jobs:WorkerCount=2",
            "--Jobs:QueuePollIntervalSeconds=1",
            $"--Scoring:AsOf={AsOf:O}",
            $"--Scoring:ChunkSize={ChunkSize}",
            // The tests score runs at past instants up to a fortnight apart, each scoring discharges of the 30 days before it:
            // every target first scored by one counts (OutcomeMonitoringTests checks the shipped 48 h rule itself).
            $"--Scoring:MonitoringMaxLagHours={MonitoringMaxLagHours}",
            $"--Scoring:ExternalFhirEndpoint={new Uri(new Uri(_receiver.Urls.First()), "/fhir")}",
            $"--Auth:SeedUsers:0:Email={CareManager}",
            $"--Auth:SeedUsers:0:Password={Password}",
            "--Auth:SeedUsers:0:Role=care-manager",
            $"--Auth:SeedUsers:1:Email={Admin}",
            $"--Auth:SeedUsers:1:Password={Password}",
            "--Auth:SeedUsers:1:Role=admin",
            .. _settings,
        ]);
        (_api, BaseUrl) = (server.App, server.BaseUrl);
        PopulationGenerator.Generate(new SyntheticOptions(_patients, 29, SyntheticOptions.DefaultAsOf), _population);
        using var client = AdminClient();
        await TestAdmin.ImportPopulationAsync(client, _population);
    }

    public virtual async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        await Database.DisposeAsync();
        Directory.Delete(_population, recursive: true);
    }

    public HttpClient AdminClient()
    {
        return TestAdmin.Client(BaseUrl);
    }

    /// <summary>Signs in on the sign-in page as a browser does (its antiforgery token, then the post): the Cookie header value.</summary>
    public async Task<string> SignInAsync(string email)
    {
        var cookies = new System.Net.CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        var form = await browser.GetStringAsync("/account/login");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var login = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = Password,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, login.StatusCode);
        var cookie = cookies.GetCookies(BaseUrl)["clinicalcds"];
        Assert.NotNull(cookie);
        return $"clinicalcds={cookie.Value}";
    }

    /// <summary>Asks the admin API for runs and waits until every one of them has finished.</summary>
    public async Task<IReadOnlyList<RunSummary>> ScoreAsync(string cohort, string? model = null, DateTimeOffset? asOf = null)
    {
        using var client = AdminClient();
        using var response = await client.PostAsJsonAsync("/admin/scoring/runs", new { cohort, model, asOf });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var requested = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = requested.GetProperty("requestKey").GetString()!;
        var expected = requested.GetProperty("runs").GetArrayLength();
        return await WaitForRunsAsync(key, expected);
    }

    public async Task<IReadOnlyList<RunSummary>> WaitForRunsAsync(string requestKey, int expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            await using var scope = Services.CreateAsyncScope();
            var runs = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GetRunsQuery(RequestKey: requestKey));
            if (runs.Count == expected && runs.All(r => r.IsFinished))
            {
                return runs;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The runs of {requestKey} did not finish in time.\n{await Database.JobsReportAsync()}");
            }

            await Task.Delay(200);
        }
    }
}

[CollectionDefinition(ScoringServerFixture.Collection)]
public sealed class ScoringServerCollection : ICollectionFixture<ScoringServerFixture>;
