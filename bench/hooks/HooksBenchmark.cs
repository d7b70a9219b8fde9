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
/// beside GET /health/live of the same server under the same load (the no-op floor), in one run. Then a patient with
/// 10,000 observations, without prefetch: the server fetches the chart from its own FHIR API as a fhirServer (pages of
/// 5,000). The bench switches the per-client and per-address rate limits off (it measures the hook, not the limiter),
/// prints the status codes it got, and exits non-zero when any answer is not 200.
/// </summary>
public static class HooksBenchmark
{
    private const string Issuer = "https://bench-ehr.test/";
    private const string AdminKey = "bench-admin-key-0123456789";
    private const int LargeObservations = 10_000;

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
        var (patientId, encounterId, resourceCount, body, discharged) = HookBody(bundleFile);
        await using var app = WebApp.Build(
        [
            // Judged an hour after the stay's discharge, as an EHR calls encounter-discharge: the patient died later, and
            // against today's clock no readmission risk is hers to have (the dead get no card).
            $"--Scoring:AsOf={discharged.AddHours(1):O}",
            $"--urls={baseUrl}", $"--ConnectionStrings:ClinicalCds={database}", $"--CdsHooks:PublicBaseUrl={baseUrl}", $"--CdsHooks:FhirServers:0={baseUrl}/fhir",
            // The models named, not found by a folder's name (issue 35 item 8), and shown (the go-live gate is for hospitals).
            $"--Models:Root={Path.Combine(RepositoryRoot(), "models")}", "--Models:GoLive:Required=false",
            $"--CdsHooks:Clients:0:Issuer={Issuer}", $"--CdsHooks:Clients:0:JwksUri={jwksHost.Urls.First()}/jwks.json",
            "--CdsHooks:ShowLowRisk=true", "--Logging:LogLevel:Default=Warning",
            "--CdsHooks:ClientRequestsPerSecond=0", "--CdsHooks:AddressRequestsPerSecond=0", $"--Admin:ApiKeys:0={AdminKey}",
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
        // The bench measures the model path: an answer that is not the readmission model's card measures something else.
        if (probe.Status != 200 || !probe.Source.Contains("readmission model ", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"The hook was not answered by the readmission model (status {probe.Status}, source '{probe.Source}'): nothing measured.");
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

        // A large chart, read from the server's own FHIR API during the hook (no prefetch).
        var (largePatient, largeStay) = await IngestLargePatient(app.Services, discharged.AddDays(-30));
        var largeBody = Encoding.UTF8.GetBytes(LargeHookBody(baseUrl, largePatient, largeStay));
        var largeProbe = await Hook(http, largeBody, Token());
        Console.WriteLine($"Large patient: {LargeObservations:N0} observations fetched from {baseUrl}/fhir; first answer {largeProbe.Status}: {largeProbe.Summary}");
        if (largeProbe.Status != 200 || !largeProbe.Source.Contains("readmission model ", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"The large patient's hook was not answered by the readmission model (status {largeProbe.Status}, source '{largeProbe.Source}'): nothing measured.");
            return 1;
        }
        var largeCalls = Math.Max(20, requests / 40);
        var largeTokens = Enumerable.Range(0, largeCalls + 5).Select(_ => Token()).ToList();
        await Load(1, 5, i => Hook(http, largeBody, largeTokens[i]).ContinueWith(t => t.Result.Status));
        var large = await Load(1, largeCalls, i => Hook(http, largeBody, largeTokens[i + 5]).ContinueWith(t => t.Result.Status));

        Console.WriteLine();
        Console.WriteLine($"{requests:N0} requests per path at concurrency {concurrency}; the large patient {largeCalls} calls one at a time");
        Console.WriteLine();
        Console.WriteLine("| path | p50 ms | p99 ms | max ms | requests/s | CPU ms per call | status codes |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        Print("GET /health/live (no-op floor)", noop);
        Print("POST the same body to a parse-only endpoint (body floor)", parseOnly);
        Print("POST encounter-discharge, complete prefetch, ES384 JWT", hooks);
        Print($"POST encounter-discharge, no prefetch, {LargeObservations:N0} observations fetched from our /fhir", large);
        Console.WriteLine();
        Console.WriteLine($"ratio p50 hooks / no-op: {hooks.P(50) / noop.P(50):F1}; p99: {hooks.P(99) / noop.P(99):F1}");
        Console.WriteLine($"ratio p50 hooks / body floor: {hooks.P(50) / parseOnly.P(50):F1}; p99: {hooks.P(99) / parseOnly.P(99):F1}");
        Console.WriteLine($"large patient p50 {large.P(50):F0} ms, p99 {large.P(99):F0} ms against the CDS Hooks ~500 ms budget");
        Console.WriteLine("(CPU per call: this process — server, its own FHIR API and the load generator together — over the run; PostgreSQL not included)");
        var runs = new[] { noop, parseOnly, hooks, large };
        if (probe.Status != 200 || largeProbe.Status != 200 || runs.Any(r => r.Failures > 0))
        {
            Console.Error.WriteLine("Some answers were not 200 (see the status codes): these figures do not measure what they name.");
            return 1;
        }

        return 0;
    }

    /// <summary>A patient admitted 30 days from <paramref name="admitted"/> with vital signs every 5 minutes and daily labs: 10,000 observations, stored through the mediator.</summary>
    private static async Task<(string Patient, string Stay)> IngestLargePatient(IServiceProvider services, DateTimeOffset admitted)
    {
        var patientId = "bench-large";
        var stayId = "bench-large-stay";
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        void Put(Resource resource) => bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = $"urn:uuid:{Guid.NewGuid()}", Resource = resource,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"{resource.TypeName}/{resource.Id}" },
        });
        Put(new Patient { Id = patientId, Gender = AdministrativeGender.Female, BirthDate = "1948-04-02" });
        Put(new Encounter
        {
            Id = stayId, Status = Encounter.EncounterStatus.Finished, Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP"),
            Subject = new ResourceReference($"Patient/{patientId}"), Period = new Period(new FhirDateTime(admitted), new FhirDateTime(admitted.AddDays(30))),
        });
        (string Code, string Unit, double Value)[] vitals = [("9279-1", "/min", 18), ("8867-4", "/min", 84), ("59408-5", "%", 96), ("8310-5", "Cel", 37.1)];
        for (var i = 0; i < LargeObservations; i++)
        {
            var (code, unit, value) = i % 50 == 0 ? ("718-7", "g/dL", 11.5) : vitals[i % vitals.Length];
            Put(new Observation
            {
                Id = $"bench-large-o{i}", Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", code),
                Subject = new ResourceReference($"Patient/{patientId}"), Encounter = new ResourceReference($"Encounter/{stayId}"),
                Effective = new FhirDateTime(admitted.AddMinutes(5 * (i / vitals.Length) + 1)),
                Value = new Quantity((decimal)value, unit) { System = "http://unitsofmeasure.org", Code = unit },
            });
        }

        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<Mediator.IMediator>()
            .Send(new ClinicalCds.Application.Fhir.IngestBundle.IngestBundleCommand(FhirJson.ToUtf8(bundle)));
        if (result.Rejected)
        {
            throw new InvalidOperationException("The large patient was rejected: " + string.Join("; ", result.Errors));
        }

        return (patientId, stayId);
    }

    private static string LargeHookBody(string baseUrl, string patientId, string stayId) => new JsonObject
    {
        ["hook"] = "encounter-discharge",
        ["hookInstance"] = Guid.NewGuid().ToString(),
        ["fhirServer"] = $"{baseUrl}/fhir",
        ["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = AdminKey, ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "patient/*.read", ["subject"] = "bench",
        },
        ["context"] = new JsonObject { ["userId"] = "Practitioner/bench", ["patientId"] = patientId, ["encounterId"] = stayId },
    }.ToJsonString();

    private sealed record Run(double[] LatenciesMs, double Seconds, int Failures, double CpuMsPerCall, IReadOnlyDictionary<int, int> Statuses)
    {
        public double P(double percentile) => LatenciesMs[Math.Min(LatenciesMs.Length - 1, (int)Math.Ceiling(percentile / 100 * LatenciesMs.Length) - 1)];
    }

    private static void Print(string name, Run run) => Console.WriteLine(
        $"| {name} | {run.P(50):F2} | {run.P(99):F2} | {run.LatenciesMs[^1]:F2} | {run.LatenciesMs.Length / run.Seconds:N0} | {run.CpuMsPerCall:F2} | " +
        $"{string.Join(", ", run.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} × {s.Value}"))} |");

    private static async Task<Run> Load(int concurrency, int count, Func<int, Task<int>> call)
    {
        var latencies = new double[count];
        var failures = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
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
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status != 200)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / count;
        Array.Sort(latencies);
        return new Run(latencies, seconds, failures, cpu, statuses);
    }

    private static async Task<(int Status, string Summary, string Source)> Hook(HttpClient http, byte[] body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/readmission-risk") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var cards = response.IsSuccessStatusCode ? JsonNode.Parse(text)?["cards"]?.AsArray() : null;
        var summary = cards is { Count: > 0 } ? cards[0]!["summary"]!.ToString() : response.IsSuccessStatusCode ? "no card" : text;
        return ((int)response.StatusCode, summary, cards is { Count: > 0 } ? cards[0]!["source"]?["label"]?.ToString() ?? string.Empty : string.Empty);
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
    private static (string PatientId, string EncounterId, int Resources, string Body, DateTimeOffset Discharged) HookBody(string bundleFile)
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
        return (patient.Id!, stay.Id!, count, body.ToJsonString(), DateTimeOffset.Parse(stay.Period!.End!, CultureInfo.InvariantCulture));
    }

    /// <summary>The repository root: the folder, from the bench's own upward, that holds ClinicalCds.sln.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClinicalCds.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("ClinicalCds.sln was not found above the bench.");
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
