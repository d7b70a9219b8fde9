using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests;

/// <summary>
/// A hospital's server makes no outbound connection its operator did not configure. The real `clinicalcds serve`
/// executable runs under strace (every connect of its process tree recorded) through model loading, a FHIR import and
/// a CDS hook scored by the shipped model; every address it connected to must be loopback. Before ONNX Runtime's
/// telemetry was switched off in code, this scenario looked up mobile.events.data.microsoft.com (UDP port 53).
/// </summary>
public sealed partial class NoPhoneHomeTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private readonly string _trace = Path.Combine(Path.GetTempPath(), $"clinicalcds-connect-{Guid.NewGuid():N}.log");

    public Task InitializeAsync() => _database.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        File.Delete(_trace);
    }

    [Fact]
    public async Task The_server_connects_to_nothing_but_loopback_through_model_loading_import_and_a_scored_hook()
    {
        Assert.True(File.Exists("/usr/bin/strace"), "strace is needed (Debian package strace; .ci/run installs it)");
        var baseUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        var start = new ProcessStartInfo("/usr/bin/strace") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-f", "-qq", "-e", "trace=connect", "-o", _trace, "dotnet", Path.Combine(AppContext.BaseDirectory, "clinicalcds.dll"), "serve", "--urls", baseUrl.ToString() })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__ClinicalCds"] = _database.ConnectionString;
        start.Environment["Models__Root"] = Path.Combine(Repository.Root, "models");
        start.Environment["Admin__ApiKeys__0"] = TestAdmin.Key;
        start.Environment["CdsHooks__RequireAuthentication"] = "false";
        start.Environment["CdsHooks__StoreFallback"] = "true";
        start.Environment["CdsHooks__ShowLowRisk"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment.Remove("ORT_DISABLE_TELEMETRY"); // the product must switch it off itself
        using var server = Process.Start(start)!;
        var output = new StringBuilder();
        server.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        server.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var client = TestAdmin.Client(baseUrl);
            await ServerProbe.WaitUntilLiveAsync(baseUrl, () => server.HasExited, () => { lock (output) { return output.ToString(); } }, seconds: 90);

            // A Synthea patient into the store, then its discharge scored by the shipped model from the store.
            var bundle = Fixtures.SyntheaBundles.Single(f => Path.GetFileName(f).StartsWith("Loma_Johns_", StringComparison.Ordinal));
            using (var content = new ByteArrayContent(await File.ReadAllBytesAsync(bundle)))
            {
                content.Headers.ContentType = new("application/fhir+json");
                using var imported = await client.PostAsync("/fhir", content);
                Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
            }

            var patientId = JsonNode.Parse(await File.ReadAllTextAsync(bundle))!["entry"]!.AsArray()
                .Select(e => e!["resource"]!).First(r => (string)r["resourceType"]! == "Patient")["id"]!.ToString();
            var hook = new JsonObject
            {
                ["hook"] = "encounter-discharge",
                ["hookInstance"] = Guid.NewGuid().ToString(),
                ["context"] = new JsonObject { ["userId"] = "Practitioner/1", ["patientId"] = patientId, ["encounterId"] = "6fc11baa-6eb4-4a16-994b-068a4b5d9d92" },
            };
            using var answer = await client.PostAsync("/cds-services/readmission-risk", new StringContent(hook.ToJsonString(), Encoding.UTF8, "application/json"));
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.OK, text);
            Assert.Contains("readmission model", text, StringComparison.Ordinal);
            (await client.GetAsync("/health/ready")).Dispose();

            // ONNX Runtime's uploader works in the background: give it time to try.
            await Task.Delay(TimeSpan.FromSeconds(20));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        var connects = (await File.ReadAllLinesAsync(_trace)).Where(l => l.Contains("connect(", StringComparison.Ordinal)).ToList();
        Assert.Contains(connects, l => l.Contains("127.0.0.1", StringComparison.Ordinal)); // PostgreSQL: the trace did record
        var outside = connects
            .Select(l => Address().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups["address"].Value)
            .Where(a => !a.StartsWith("127.", StringComparison.Ordinal) && a is not ("::1" or "::") && !a.StartsWith("::ffff:127.", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.True(outside.Count == 0, $"Connections outside loopback: {string.Join(", ", outside)}\n{string.Join("\n", connects.Where(l => outside.Any(a => l.Contains(a, StringComparison.Ordinal))).Take(5))}");
    }

    // strace writes inet_addr("127.0.0.1") for IPv4 and inet_pton(AF_INET6, "::1", &sin6_addr) for IPv6.
    [GeneratedRegex(@"inet_addr\(""(?<address>[^""]+)""\)|inet_pton\(AF_INET6, ""(?<address>[^""]+)""")]
    private static partial Regex Address();
}
