using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using ClinicalCds.Infrastructure.Persistence;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace ClinicalCds.Bench.Hooks;

/// <summary>
/// bench/hooks: latency of encounter-discharge calls with complete prefetch of a Synthea patient (~280 resources),
/// each with its own ES384 client JWT (signature, JWKS, jti replay check), at a fixed concurrency over real HTTP —
/// beside GET /health/live of the same server under the same load (the no-op floor), in one run.
/// </summary>
public static class HooksBenchmark
{
    private const string Issuer = "https://bench-ehr.test/";

    public static async Task<int> Main(string[] args)
    {
        var concurrency = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
        var requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4000;
        var bundleFile = args.Length > 2 ? args[2] : FindFixture("Loma_Johns_");
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__ClinicalCds")
            ?? throw new InvalidOperationException("Set ConnectionStrings__ClinicalCds (bench/hooks/run.sh starts a local PostgreSQL).");
        var database = await BenchSupport.CreateDatabase(server, "bench_hooks");

        var key = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP384)) { KeyId = "bench" };
        await using var jwksHost = await BenchJwks.StartHostAsync(key);
        var port = BenchSupport.FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        await using var app = WebApp.Build(
        [
            $"--urls={baseUrl}", $"--ConnectionStrings:ClinicalCds={database}", $"--CdsHooks:PublicBaseUrl={baseUrl}",
            $"--CdsHooks:Clients:0:Issuer={Issuer}", $"--CdsHooks:Clients:0:JwksUri={jwksHost.Urls.First()}/jwks.json",
            "--CdsHooks:ShowLowRisk=true", "--Logging:LogLevel:Default=Warning",
        ]);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        }

        // The body's own floor: the same prefetch received and parsed as JSON by the same server, nothing else done.
        app.MapPost("/bench/parse-only", async (HttpContext http) =>
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body);
            return Results.Text("""{"cards":[]}""", "application/json");
        });
        await app.StartAsync();

        var (patientId, encounterId, resourceCount, body) = HookBody(bundleFile);
        var audience = $"{baseUrl}/cds-services/readmission-risk";
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        string Token() => handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = Issuer, ["aud"] = audience, ["jti"] = Guid.NewGuid().ToString(),
                ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["exp"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds(),
            },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha384),
        });

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri(baseUrl) };
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var probe = await Hook(http, bodyBytes, Token());
        Console.WriteLine($"Patient {patientId[..8]}…, {resourceCount} resources in prefetch ({bodyBytes.Length / 1024} KB); first answer {probe.Status}: {probe.Summary}");
        if (probe.Status != 200)
        {
            return 1;
        }

        // Tokens are minted before the clock starts: signing is the client's cost, not the server's.
        var warmup = Enumerable.Range(0, 300).Select(_ => Token()).ToList();
        await Load(concurrency, warmup.Count, i => Hook(http, bodyBytes, warmup[i]).ContinueWith(t => t.Result.Status));
        var tokens = Enumerable.Range(0, requests).Select(_ => Token()).ToList();
        var hooks = await Load(concurrency, requests, i => Hook(http, bodyBytes, tokens[i]).ContinueWith(t => t.Result.Status));
        await Load(concurrency, 300, _ => Noop(http));
        var noop = await Load(concurrency, requests, _ => Noop(http));
        await Load(concurrency, 300, _ => ParseOnly(http, bodyBytes));
        var parseOnly = await Load(concurrency, requests, _ => ParseOnly(http, bodyBytes));

        Console.WriteLine();
        Console.WriteLine($"{requests:N0} requests per path at concurrency {concurrency}");
        Console.WriteLine();
        Console.WriteLine("| path | p50 ms | p99 ms | max ms | requests/s | CPU ms per call | non-200 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Print("GET /health/live (no-op floor)", noop);
        Print("POST the same body to a parse-only endpoint (body floor)", parseOnly);
        Print("POST encounter-discharge, complete prefetch, ES384 JWT", hooks);
        Console.WriteLine();
        Console.WriteLine($"ratio p50 hooks / no-op: {hooks.P(50) / noop.P(50):F1}; p99: {hooks.P(99) / noop.P(99):F1}");
        Console.WriteLine($"ratio p50 hooks / body floor: {hooks.P(50) / parseOnly.P(50):F1}; p99: {hooks.P(99) / parseOnly.P(99):F1}");
        Console.WriteLine("(CPU per call: this process — server and load generator together — over the run; PostgreSQL not included)");
        return hooks.Failures == 0 ? 0 : 1;
    }

    private sealed record Run(double[] LatenciesMs, double Seconds, int Failures, double CpuMsPerCall)
    {
        public double P(double percentile) => LatenciesMs[Math.Min(LatenciesMs.Length - 1, (int)Math.Ceiling(percentile / 100 * LatenciesMs.Length) - 1)];
    }

    private static void Print(string name, Run run) => Console.WriteLine(
        $"| {name} | {run.P(50):F2} | {run.P(99):F2} | {run.LatenciesMs[^1]:F2} | {run.LatenciesMs.Length / run.Seconds:N0} | {run.CpuMsPerCall:F2} | {run.Failures} |");

    private static async Task<Run> Load(int concurrency, int count, Func<int, Task<int>> call)
    {
        var latencies = new double[count];
        var failures = 0;
        var next = -1;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await call(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (status != 200)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / count;
        Array.Sort(latencies);
        return new Run(latencies, seconds, failures, cpu);
    }

    private static async Task<(int Status, string Summary)> Hook(HttpClient http, byte[] body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/readmission-risk") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var cards = response.IsSuccessStatusCode ? JsonNode.Parse(text)?["cards"]?.AsArray() : null;
        var summary = cards is { Count: > 0 } ? cards[0]!["summary"]!.ToString() : response.IsSuccessStatusCode ? "no card" : text;
        return ((int)response.StatusCode, summary);
    }

    private static async Task<int> ParseOnly(HttpClient http, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync("/bench/parse-only", content);
        await response.Content.ReadAsStringAsync();
        return (int)response.StatusCode;
    }

    private static async Task<int> Noop(HttpClient http)
    {
        using var response = await http.GetAsync("/health/live");
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    /// <summary>An encounter-discharge request for the patient's latest inpatient stay, every prefetch key filled.</summary>
    private static (string PatientId, string EncounterId, int Resources, string Body) HookBody(string bundleFile)
    {
        var resources = BundleEntries.Read(File.ReadAllBytes(bundleFile)).Entries
            .Select(e => FhirJson.TryParse(e.Preparation.Resource!.Json, out _)!).ToList();
        var patient = resources.OfType<Patient>().Single();
        var stay = resources.OfType<Encounter>().Where(e => e.Class?.Code == "IMP").OrderBy(e => e.Period?.Start, StringComparer.Ordinal).Last();
        JsonNode Searchset<T>() where T : Resource
        {
            var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = resources.OfType<T>().Count() };
            bundle.Entry.AddRange(resources.OfType<T>().Select(r => new Bundle.EntryComponent { FullUrl = $"urn:uuid:{r.Id}", Resource = r }));
            return JsonNode.Parse(FhirJson.ToUtf8(bundle))!;
        }

        var prefetch = new JsonObject
        {
            ["patient"] = JsonNode.Parse(FhirJson.ToUtf8(patient)),
            ["encounters"] = Searchset<Encounter>(),
            ["conditions"] = Searchset<Condition>(),
            ["observations"] = Searchset<Observation>(),
            ["procedures"] = Searchset<Procedure>(),
            ["medications"] = Searchset<MedicationRequest>(),
        };
        var body = new JsonObject
        {
            ["hook"] = "encounter-discharge",
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["context"] = new JsonObject { ["userId"] = "Practitioner/bench", ["patientId"] = patient.Id, ["encounterId"] = stay.Id },
            ["prefetch"] = prefetch,
        };
        var count = 1 + new[] { "encounters", "conditions", "observations", "procedures", "medications" }.Sum(k => prefetch[k]!["entry"]?.AsArray().Count ?? 0);
        return (patient.Id!, stay.Id!, count, body.ToJsonString());
    }

    private static string FindFixture(string prefix)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "shared", "fixtures", "synthea-r4");
            if (Directory.Exists(folder))
            {
                return Directory.GetFiles(folder, prefix + "*.json").Single();
            }
        }

        throw new DirectoryNotFoundException("../shared/fixtures/synthea-r4 was not found.");
    }
}
