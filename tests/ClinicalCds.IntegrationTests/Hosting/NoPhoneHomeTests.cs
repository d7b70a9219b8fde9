using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>
/// A hospital's server makes no outbound connection its operator did not configure. The real `clinicalcds serve`
/// executable runs under strace (every connect of its process tree recorded) through model loading, a FHIR import and
/// a CDS hook scored by the shipped model, and `clinicalcds worker` through a population run scored by the shipped
/// model; every address they connected to must be loopback. Before ONNX Runtime's
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

    private const string StayId = "6fc11baa-6eb4-4a16-994b-068a4b5d9d92";

    [Fact]
    public async Task The_server_connects_to_nothing_but_loopback_through_model_loading_import_and_a_scored_hook()
    {
        var baseUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        // The hook is judged an hour after the Synthea stay's discharge, as an EHR would call it: she died a day later.
        var bundle = Fixtures.SyntheaBundles.Single(f => Path.GetFileName(f).StartsWith("Loma_Johns_", StringComparison.Ordinal));
        var resources = JsonNode.Parse(await File.ReadAllTextAsync(bundle))!["entry"]!.AsArray().Select(e => e!["resource"]!).ToList();
        var discharged = DateTimeOffset.Parse((string)resources.Single(r => (string?)r["id"] == StayId)["period"]!["end"]!, System.Globalization.CultureInfo.InvariantCulture);
        using var server = StartTraced(new Dictionary<string, string>
        {
            ["Scoring__AsOf"] = discharged.AddHours(1).ToString("O"),
            ["ConnectionStrings__ClinicalCds"] = _database.ConnectionString,
            ["Models__Root"] = Path.Combine(Repository.Root, "models"),
            ["Admin__ApiKeys__0"] = TestAdmin.Key,
            ["CdsHooks__RequireAuthentication"] = "false",
            ["CdsHooks__StoreFallback"] = "true",
            ["CdsHooks__ShowLowRisk"] = "true",
            ["Models__GoLive__Required"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        }, out var output, CliProcess.Serve(baseUrl));
        try
        {
            using var client = TestAdmin.Client(baseUrl);
            await ServerProbe.WaitUntilLiveAsync(baseUrl, () => server.HasExited, () => Text(output), seconds: 90);

            // A Synthea patient into the store, then its discharge scored by the shipped model from the store.
            using (var content = new ByteArrayContent(await File.ReadAllBytesAsync(bundle)))
            {
                content.Headers.ContentType = new("application/fhir+json");
                using var imported = await client.PostAsync("/fhir", content);
                Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
            }

            var patientId = resources.First(r => (string)r["resourceType"]! == "Patient")["id"]!.ToString();
            var hook = new JsonObject
            {
                ["hook"] = "encounter-discharge",
                ["hookInstance"] = Guid.NewGuid().ToString(),
                ["context"] = new JsonObject { ["userId"] = "Practitioner/1", ["patientId"] = patientId, ["encounterId"] = StayId },
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

        await AssertOnlyLoopbackAsync();
    }

    [Fact]
    public async Task The_worker_connects_to_nothing_but_loopback_through_model_loading_and_a_population_run()
    {
        var population = Directory.CreateTempSubdirectory("clinicalcds-phone-").FullName;
        try
        {
            PopulationGenerator.Generate(new SyntheticOptions(100, 43, SyntheticOptions.DefaultAsOf), population);
            var environment = WorkerPopulationFixture.WorkerEnvironment(_database.ConnectionString);
            var (imported, importOutput) = await CliProcess.RunAsync(environment, "import", population);
            Assert.True(imported == 0, importOutput);

            using var worker = StartTraced(environment, out var output, "worker");
            try
            {
                var (requested, requestOutput) = await CliProcess.RunAsync(environment, "score", "--cohort", "recent-discharges", "--model", "readmission");
                Assert.True(requested == 0, requestOutput);
                // Under strace, beside the other test classes running in parallel, a worker is many times slower.
                var deadline = DateTime.UtcNow.AddSeconds(300);
                while (await _database.ScalarAsync("SELECT count(*) FROM score_runs WHERE status = 'completed'") == 0)
                {
                    Assert.True(DateTime.UtcNow < deadline && !worker.HasExited, $"The run did not complete.\n{await _database.JobsReportAsync()}\n{Text(output)}");
                    await Task.Delay(250);
                }

                Assert.True(await _database.ScalarAsync("SELECT count(*) FROM risk_scores WHERE status = 'scored'") > 0,
                    await _database.TextAsync("SELECT concat_ws(' ', scored, skipped, failed, skip_reasons::text) FROM score_runs"));
                Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM risk_scores WHERE status = 'scored' AND method IS DISTINCT FROM @m", ("m", Repository.ShippedModel("readmission"))));
                await Task.Delay(TimeSpan.FromSeconds(20)); // ONNX Runtime's uploader works in the background: give it time to try
            }
            finally
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            await AssertOnlyLoopbackAsync();
        }
        finally
        {
            Directory.Delete(population, recursive: true);
        }
    }

    /// <summary>`clinicalcds ARGS` under strace, every connect of its process tree written to the trace file.</summary>
    private Process StartTraced(IReadOnlyDictionary<string, string> environment, out StringBuilder output, params string[] args)
    {
        Assert.True(File.Exists("/usr/bin/strace"), "strace is needed (Debian package strace; scripts/test.sh installs it)");
        var start = new ProcessStartInfo("/usr/bin/strace") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["-f", "-qq", "-e", "trace=connect", "-o", _trace, "dotnet", Path.Combine(AppContext.BaseDirectory, "clinicalcds.dll"), .. args])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment.Remove("ORT_DISABLE_TELEMETRY"); // the product must switch it off itself
        var process = Process.Start(start)!;
        var lines = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (lines) { lines.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (lines) { lines.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = lines;
        return process;
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private async Task AssertOnlyLoopbackAsync()
    {
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
