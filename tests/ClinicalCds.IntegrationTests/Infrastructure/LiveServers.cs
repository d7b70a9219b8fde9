using System.Net;
using System.Net.Sockets;
using ClinicalCds.Api.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>The tests that share one <see cref="CdsServerFixture"/> (and its database) run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class CdsServer : ICollectionFixture<CdsServerFixture>
{
    public const string Name = "CDS Hooks server";
}

/// <summary>
/// The real server on a real loopback port (Kestrel), on its own database: CDS Clients call it over HTTP and it is its
/// own fhirServer. Beside it, a small host serving the CDS Clients' JWKS documents.
/// </summary>
public sealed class CdsServerFixture : IAsyncLifetime
{
    public const string EhrIssuer = "https://ehr.test/";
    public const string SpecIssuer = "https://fhir-ehr.example.com/";
    public const string BrowserOrigin = "https://ehr-app.example.org";

    private WebApplication? _api;
    private WebApplication? _jwksHost;

    public TestDatabase Database { get; } = new();
    public TestCdsClient Ehr { get; } = new(EhrIssuer);
    /// <summary>Keys published at a URL the EHR client's jku may name (it is on the allowlist).</summary>
    public TestCdsClient EhrAlternateKeys { get; } = new(EhrIssuer);
    public Uri BaseUrl { get; private set; } = null!;
    public Uri JwksBaseUrl { get; private set; } = null!;
    public IServiceProvider Services => _api!.Services;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _jwksRequests = new();

    /// <summary>How often the server fetched <paramref name="url"/> from the JWKS host.</summary>
    public int JwksRequests(string url) => _jwksRequests.GetValueOrDefault(url);

    public string AllowedJku => new Uri(JwksBaseUrl, "/ehr/alternate-jwks.json").ToString();

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();

        var jwksBuilder = WebApplication.CreateSlimBuilder();
        jwksBuilder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        _jwksHost = jwksBuilder.Build();
        _jwksHost.Use((context, next) =>
        {
            _jwksRequests.AddOrUpdate(new Uri(JwksBaseUrl, context.Request.Path.Value).ToString(), 1, (_, n) => n + 1);
            return next(context);
        });
        _jwksHost.MapGet("/ehr/jwks.json", () => Results.Text(Ehr.Jwks(), "application/json"));
        _jwksHost.MapGet("/ehr/alternate-jwks.json", () => Results.Text(EhrAlternateKeys.Jwks(), "application/json"));
        _jwksHost.MapGet("/spec/jwks.json", () => Results.Text(File.ReadAllText(Path.Combine(Fixtures.Root, "cds-hooks", "jwks-public.json")), "application/json"));
        await _jwksHost.StartAsync();
        JwksBaseUrl = new Uri(_jwksHost.Urls.First());

        var server = await TestServer.StartAsync(Database.ConnectionString, Settings());
        (_api, BaseUrl) = (server.App, server.BaseUrl);
    }

    /// <summary>This server's configuration (trusted clients, models, browser origin) beside the test server's own.</summary>
    private string[] Settings() =>
        [
            // The clients' fhirServers are local processes (this server's FHIR API, test EHRs): listed, so loopback is followed.
            "--CdsHooks:FhirServers:0=http://127.0.0.1",
            $"--CdsHooks:Clients:0:Issuer={EhrIssuer}",
            $"--CdsHooks:Clients:0:JwksUri={new Uri(JwksBaseUrl, "/ehr/jwks.json")}",
            $"--CdsHooks:Clients:0:JkuAllowlist:0={AllowedJku}",
            $"--CdsHooks:Clients:1:Issuer={SpecIssuer}",
            $"--CdsHooks:Clients:1:JwksUri={new Uri(JwksBaseUrl, "/spec/jwks.json")}",
            "--CdsHooks:FetchTimeoutSeconds=3",
            // No models: these tests check the published-score cards (model cards are tested at the handler).
            $"--Models:Root={Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "clinicalcds-no-models")).FullName}",
            "--CdsHooks:ShowLowRisk=true",
            // Where a test loads the shipped models, their cards are shown as in the demo (the gate: GoLive tests).
            "--Models:GoLive:Required=false",
            $"--CdsHooks:CorsOrigins:0={BrowserOrigin}",
        ];

    /// <summary>
    /// Another server on the same database and public URL with <paramref name="overrides"/> on top (tokens minted for
    /// this server's audience are valid there too); the caller disposes it.
    /// </summary>
    public async Task<(WebApplication App, Uri BaseUrl)> StartAnotherAsync(params string[] overrides)
    {
        var server = await TestServer.StartAsync(Database.ConnectionString, [.. Settings(), $"--CdsHooks:PublicBaseUrl={BaseUrl}", .. overrides]);
        return (server.App, server.BaseUrl);
    }

    private readonly Dictionary<DateTimeOffset, Task<(WebApplication App, Uri BaseUrl)>> _pinned = [];

    /// <summary>
    /// Another server like this one whose clock is pinned at <paramref name="at"/> (Scoring:AsOf): a hook called at the
    /// moment it would have been in the record's time — a discharge in 2006 judged at that discharge. One per instant,
    /// kept until the fixture is disposed.
    /// </summary>
    public async Task<Uri> PinnedAsync(DateTimeOffset at)
    {
        Task<(WebApplication App, Uri BaseUrl)> started;
        lock (_pinned)
        {
            if (!_pinned.TryGetValue(at, out started!))
            {
                started = _pinned[at] = StartAnotherAsync($"--Scoring:AsOf={at:O}");
            }
        }

        return (await started).BaseUrl;
    }

    public async Task DisposeAsync()
    {
        foreach (var pinned in _pinned.Values)
        {
            await (await pinned).App.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_jwksHost is not null)
        {
            await _jwksHost.DisposeAsync();
        }

        await Database.DisposeAsync();
    }

    private readonly SemaphoreSlim _importing = new(1, 1);
    private readonly HashSet<string> _imported = [];

    /// <summary>Imports a Synthea fixture Bundle through POST /fhir once per test run.</summary>
    public async Task ImportOnceAsync(string bundleFile)
    {
        await _importing.WaitAsync();
        try
        {
            if (_imported.Add(bundleFile))
            {
                using var client = TestAdmin.Client(BaseUrl);
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(bundleFile));
                content.Headers.ContentType = new("application/fhir+json");
                using var response = await client.PostAsync("/fhir", content);
                response.EnsureSuccessStatusCode();
            }
        }
        finally
        {
            _importing.Release();
        }
    }

    /// <summary>The audience a token must carry to call <paramref name="path"/>.</summary>
    public string Audience(string path) => new Uri(BaseUrl, path).ToString();

}
