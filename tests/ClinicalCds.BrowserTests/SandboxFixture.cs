using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ClinicalCds.Api.Hosting;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Playwright;

namespace ClinicalCds.BrowserTests;

/// <summary>
/// The CDS Hooks community's sandbox (../shared/clients/cds-hooks-sandbox/build, unchanged) served from a static host
/// of its own origin, and the real server with a synthetic population discharged and admitted up to today. The server
/// trusts the sandbox by configuration alone — its issuer and its published JWKS file — reads FHIR anonymously (the
/// sandbox cannot send a token to a FHIR server) and allows the sandbox's origin (CORS). A second, test CDS client
/// (<see cref="Ehr"/>) calls the same service with complete prefetch, for comparison.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public const string SandboxIssuer = "https://sandbox.cds-hooks.org";
    public const string EhrIssuer = "https://ehr.test/";

    public static string SandboxBuild { get; } = Path.GetFullPath(Path.Combine(Fixtures.Root, "..", "clients", "cds-hooks-sandbox", "build"));

    private readonly string _scratch = Directory.CreateTempSubdirectory("clinicalcds-sandbox-").FullName;
    private WebApplication? _api;
    private WebApplication? _static;
    private IPlaywright? _playwright;

    public TestDatabase Database { get; } = new();
    public TestCdsClient Ehr { get; } = new(EhrIssuer);
    public Uri BaseUrl { get; private set; } = null!;
    public Uri SandboxUrl { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();

        var statics = WebApplication.CreateSlimBuilder();
        statics.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        _static = statics.Build();
        _static.UseFileServer(new FileServerOptions { FileProvider = new PhysicalFileProvider(SandboxBuild) });
        await _static.StartAsync();
        SandboxUrl = new Uri(_static.Urls.First());

        var ehrJwks = Path.Combine(_scratch, "ehr-jwks.json");
        await File.WriteAllTextAsync(ehrJwks, Ehr.Jwks());
        BaseUrl = TestServer.FreeAddress();
        var server = await TestServer.StartAsync(Database.ConnectionString,
        [
            $"--CdsHooks:Clients:0:Issuer={SandboxIssuer}",
            $"--CdsHooks:Clients:0:JwksFile={Path.Combine(SandboxBuild, ".well-known", "jwks.json")}",
            // The sandbox names this server's FHIR API as its fhirServer: listed for it, so that loopback address is followed.
            $"--CdsHooks:Clients:0:FhirServers:0={new Uri(BaseUrl, "/fhir")}",
            $"--CdsHooks:Clients:1:Issuer={EhrIssuer}",
            $"--CdsHooks:Clients:1:JwksFile={ehrJwks}",
            $"--CdsHooks:CorsOrigins:0={SandboxUrl.GetLeftPart(UriPartial.Authority)}",
            "--Fhir:AnonymousRead=true",
            "--Models:GoLive:Required=false",
        ], at: BaseUrl);
        _api = server.App;

        // A hospital's active patients today, as the demo's (in hospital now or discharged in the last 30 days):
        // patient-view shows readmission risk in the 30 days after a discharge and deterioration risk during a stay, both
        // judged against the real clock.
        var population = Path.Combine(_scratch, "population");
        var result = PopulationGenerator.Generate(new SyntheticOptions(150, 41, DateTime.UtcNow.Date) { RecentCareDays = 30 }, population);
        using var admin = TestAdmin.Client(BaseUrl);
        foreach (var file in result.Files.Where(f => f.EndsWith(".ndjson", StringComparison.Ordinal)))
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(population, file)));
            content.Headers.ContentType = new("application/fhir+ndjson");
            using var response = await admin.PostAsync("/fhir/$import", content);
            response.EnsureSuccessStatusCode();
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await DebianChromium.LaunchAsync(_playwright);
    }

    /// <summary>The sandbox's patient-view page for <paramref name="patientId"/>, against this server's discovery and FHIR API.</summary>
    public string SandboxPage(string patientId) =>
        new Uri(SandboxUrl, $"index.html?serviceDiscoveryURL={Uri.EscapeDataString(new Uri(BaseUrl, "/cds-services").ToString())}"
            + $"&fhirServiceUrl={Uri.EscapeDataString(new Uri(BaseUrl, "/fhir").ToString())}&patientId={Uri.EscapeDataString(patientId)}").ToString();

    /// <summary>
    /// Calls <paramref name="service"/> for <paramref name="patientId"/> as a complete EHR would: every prefetch
    /// template of the service's discovery entry read in full (all pages) from the FHIR API, sent with the test client's JWT.
    /// </summary>
    public async Task<JsonNode> CallWithCompletePrefetchAsync(string service, string patientId)
    {
        using var client = new HttpClient { BaseAddress = BaseUrl };
        var discovery = JsonNode.Parse(await client.GetStringAsync("/cds-services"))!;
        var definition = discovery["services"]!.AsArray().Single(s => (string)s!["id"]! == service)!;
        var prefetch = new JsonObject();
        foreach (var (key, template) in definition["prefetch"]!.AsObject())
        {
            prefetch[key] = await ReadAllAsync(client, "/fhir/" + ((string)template!).Replace("{{context.patientId}}", patientId, StringComparison.Ordinal));
        }

        var body = new JsonObject
        {
            ["hook"] = (string)definition["hook"]!,
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["context"] = new JsonObject { ["userId"] = "Practitioner/example", ["patientId"] = patientId },
            ["prefetch"] = prefetch,
        };
        var path = $"/cds-services/{service}";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Ehr.Token(new Uri(BaseUrl, path).ToString()));
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>A resource, or every page of a search joined into one searchset Bundle.</summary>
    private static async Task<JsonNode?> ReadAllAsync(HttpClient client, string url)
    {
        var first = JsonNode.Parse(await client.GetStringAsync(url))!;
        if ((string?)first["resourceType"] != "Bundle")
        {
            return first;
        }

        var entries = new JsonArray();
        for (JsonNode? page = first; page is not null;)
        {
            foreach (var entry in page["entry"]?.AsArray() ?? [])
            {
                entries.Add(entry!.DeepClone());
            }

            var next = page["link"]?.AsArray().FirstOrDefault(l => (string?)l!["relation"] == "next")?["url"];
            page = next is null ? null : JsonNode.Parse(await client.GetStringAsync((string)next!));
        }

        return new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = entries.Count, ["entry"] = entries };
    }

    /// <summary>Ids of every patient in the store.</summary>
    public async Task<IReadOnlyList<string>> PatientIdsAsync()
    {
        using var admin = TestAdmin.Client(BaseUrl);
        var bundle = await ReadAllAsync(admin, "/fhir/Patient?_count=1000");
        return [.. bundle!["entry"]!.AsArray().Select(e => (string)e!["resource"]!["id"]!)];
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        foreach (var app in new[] { _api, _static })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        await Database.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }
}
