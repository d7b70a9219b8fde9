using System.Net;
using System.Text.Json.Nodes;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>
/// Issue 33 item 6, through the shipped executable: the server names itself only by <c>CdsHooks:PublicBaseUrl</c> —
/// required outside Development, start-up refuses without it — and filters the Host header, so a caller's Host never
/// reaches a link, <c>/fhir/metadata</c> or the sign-in redirect.
/// </summary>
public sealed class PublicAddressTests : IAsyncLifetime
{
    private const string PublicBase = "https://cds.hospital.test";

    private readonly TestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__ClinicalCds"] = _database.ConnectionString,
        ["Admin__ApiKeys__0"] = TestAdmin.Key,
        ["Logging__LogLevel__Default"] = "Warning",
    };

    [Fact]
    public async Task Outside_development_the_server_refuses_to_start_without_a_public_address_or_with_any_host_allowed()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var (exit, printed) = await CliProcess.RunAsync(Environment(), "serve", "--urls", url);
        Assert.NotEqual(0, exit);
        Assert.Contains("CdsHooks:PublicBaseUrl is required (environment Production)", Flat(printed), StringComparison.Ordinal);

        (exit, printed) = await CliProcess.RunAsync(Environment(), "serve", "--urls", url, "--CdsHooks:PublicBaseUrl=cds.hospital.test");
        Assert.NotEqual(0, exit);
        Assert.Contains("'cds.hospital.test' is not an absolute http(s) URL", Flat(printed), StringComparison.Ordinal);

        (exit, printed) = await CliProcess.RunAsync(Environment(), "serve", "--urls", url, $"--CdsHooks:PublicBaseUrl={PublicBase}", "--AllowedHosts=*");
        Assert.NotEqual(0, exit);
        Assert.Contains("AllowedHosts '*' accepts any Host header outside Development", Flat(printed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_metadata_and_the_sign_in_redirect_come_from_the_public_address_and_a_foreign_Host_is_refused()
    {
        var url = new Uri($"http://127.0.0.1:{Ports.Free()}");
        // Reached directly on 127.0.0.1 (a listed host) and publicly known as https://cds.hospital.test.
        await using var server = CliProcess.Start(
            Environment(), "serve", "--urls", url.ToString(), $"--CdsHooks:PublicBaseUrl={PublicBase}/", "--AllowedHosts=cds.hospital.test;127.0.0.1");
        await ServerProbe.WaitUntilLiveAsync(url, () => server.HasExited, () => server.Output);
        using var admin = TestAdmin.Client(url);

        var metadata = JsonNode.Parse(await admin.GetStringAsync("/fhir/metadata"))!;
        Assert.Equal($"{PublicBase}/fhir", (string?)metadata["implementation"]!["url"]);

        var entries = string.Join(",", Enumerable.Range(0, 3).Select(i =>
            $$$"""{"resource":{"resourceType":"Patient","id":"p{{{i}}}","gender":"female"},"request":{"method":"PUT","url":"Patient/p{{{i}}}"}}"""));
        using (var bundle = new StringContent($$"""{"resourceType":"Bundle","type":"transaction","entry":[{{entries}}]}"""))
        {
            bundle.Headers.ContentType = new("application/fhir+json");
            using var posted = await admin.PostAsync("/fhir", bundle);
            Assert.True(posted.IsSuccessStatusCode, $"{(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
        }

        using var search = new HttpRequestMessage(HttpMethod.Get, "/fhir/Patient?_count=1");
        var page = JsonNode.Parse(await (await admin.SendAsync(search)).Content.ReadAsStringAsync())!;
        var links = page["link"]!.AsArray().Select(l => (string)l!["url"]!).ToList();
        Assert.Contains(links, l => l.StartsWith($"{PublicBase}/fhir/Patient?", StringComparison.Ordinal));
        Assert.All(links, l => Assert.StartsWith($"{PublicBase}/fhir/", l, StringComparison.Ordinal));
        Assert.All(page["entry"]!.AsArray(), e => Assert.StartsWith($"{PublicBase}/fhir/Patient/", (string)e!["fullUrl"]!, StringComparison.Ordinal));

        // A browser not signed in is sent to sign-in by path, not by the Host it sent.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = url };
        using var worklist = await browser.GetAsync("/worklist");
        Assert.Equal(HttpStatusCode.Redirect, worklist.StatusCode);
        Assert.Equal("/account/login?ReturnUrl=%2Fworklist", worklist.Headers.Location!.OriginalString);

        // Any other Host is refused before it reaches anything.
        foreach (var path in new[] { "/fhir/metadata", "/worklist", "/cds-services" })
        {
            using var forged = new HttpRequestMessage(HttpMethod.Get, path);
            forged.Headers.Host = "attacker.example";
            using var refused = await admin.SendAsync(forged);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.DoesNotContain("attacker.example", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
}
