using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicalCds.Api.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace ClinicalCds.Bench.Load;

/// <summary>
/// bench/load: an open-loop load generator. Requests are scheduled at a fixed rate and each latency is measured from
/// its scheduled time (a late generator or a slow server both show, no coordinated omission). First GET /health/live
/// for 30 s at the rate (the floor), then patient-view hook calls — a client JWT each, the patient's record read from
/// the store — for the soak. Per minute: p50, p99, errors; the server process's resident memory after minute 1 and
/// at the end.
/// </summary>
public static class LoadBenchmark
{
    private const string Issuer = "https://load-ehr.test/";

    public static async Task<int> Main(string[] args)
    {
        var rate = int.Parse(args[0], CultureInfo.InvariantCulture);
        var minutes = double.Parse(args[1], CultureInfo.InvariantCulture);
        var patients = int.Parse(args[2], CultureInfo.InvariantCulture);
        var cli = args[3];
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__ClinicalCds")
            ?? throw new InvalidOperationException("Set ConnectionStrings__ClinicalCds (bench/load/run.sh starts a local PostgreSQL).");
        var name = $"bench_load_{patients}";
        var database = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        await using (var setup = WebApp.Build([$"--ConnectionStrings:ClinicalCds={database}", "--CdsHooks:PublicBaseUrl=http://127.0.0.1", "--Logging:LogLevel:Default=Warning"]))
        {
            await BenchSupport.EnsurePopulation(server, setup.Services, name, patients);
        }

        var ids = await PatientIdsAsync(database);
        var key = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP384)) { KeyId = "load" };
        await using var jwksHost = await BenchJwks.StartHostAsync(key);
        var baseUrl = $"http://127.0.0.1:{BenchSupport.FreePort()}";
        using var api = StartServer(cli, baseUrl, database, $"{jwksHost.Urls.First()}/jwks.json", rate);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30),
        };
        await WaitReadyAsync(http, api);

        var audience = $"{baseUrl}/cds-services/patient-risk-summary";
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        string Token() => handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = Issuer, ["aud"] = audience, ["jti"] = Guid.NewGuid().ToString(),
                ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
            },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha384),
        });

        // Tokens are minted ahead by a producer, a minute's worth at most: signing is the client's cost, not the server's.
        var total = (int)(rate * minutes * 60);
        var tokens = new BlockingCollection<string>(boundedCapacity: rate * 60);
        var minting = Task.Run(() =>
        {
            for (var i = 0; i < total; i++)
            {
                tokens.Add(Token());
            }

            tokens.CompleteAdding();
        });
        while (tokens.Count < Math.Min(total, rate * 30))
        {
            await Task.Delay(100);
        }

        // Warm-up, not measured: the JIT, the JWKS cache and the connection pools of both sides.
        for (var i = 0; i < 500; i++)
        {
            await Hook(http, ids[i % ids.Count], Token());
        }

        Console.WriteLine($"{patients:N0} patients in the store; {rate} requests/s; floor 30 s, then the soak for {minutes} min ({total:N0} hook calls)");
        var floor = await RunAsync(rate, rate * 30, _ => Noop(http), null, null);
        var rssAfterMinute = 0L;
        var soak = await RunAsync(rate, total, i => Hook(http, ids[i % ids.Count], tokens.Take()),
            minute => { if (minute == 1) { rssAfterMinute = Rss(api); } }, api);
        var rssAtEnd = Rss(api);
        await minting;

        Console.WriteLine();
        Console.WriteLine("| minute | requests | p50 ms | p99 ms | max ms | errors |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var (minute, samples) in soak.ByMinute)
        {
            Console.WriteLine($"| {minute + 1} | {samples.Count:N0} | {P(samples, 50):F1} | {P(samples, 99):F1} | {samples.Max():F1} | {soak.ErrorsByMinute.GetValueOrDefault(minute)} |");
        }

        var all = soak.ByMinute.SelectMany(m => m.Value).ToList();
        var floorAll = floor.ByMinute.SelectMany(m => m.Value).ToList();
        Console.WriteLine();
        Console.WriteLine("| path | requests | p50 ms | p99 ms | errors |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine($"| GET /health/live at {rate}/s (floor) | {floorAll.Count:N0} | {P(floorAll, 50):F2} | {P(floorAll, 99):F2} | {floor.ErrorsByMinute.Values.Sum()} |");
        Console.WriteLine($"| POST patient-view (JWT, store) at {rate}/s | {all.Count:N0} | {P(all, 50):F2} | {P(all, 99):F2} | {soak.ErrorsByMinute.Values.Sum()} |");
        Console.WriteLine();
        Console.WriteLine($"ratio p50 hook / floor: {P(all, 50) / P(floorAll, 50):F1}; p99: {P(all, 99) / P(floorAll, 99):F1}");
        var growth = rssAfterMinute == 0 ? double.NaN : (rssAtEnd - rssAfterMinute) * 100.0 / rssAfterMinute;
        Console.WriteLine($"server resident memory: {rssAfterMinute / 1048576.0:F0} MB after minute 1, {rssAtEnd / 1048576.0:F0} MB at the end ({growth:+0.0;-0.0}%)");
        api.Kill(entireProcessTree: true);
        return soak.ErrorsByMinute.Values.Sum() == 0 && Math.Abs(growth) <= 10 ? 0 : 1;
    }

    private sealed record Result(SortedDictionary<int, List<double>> ByMinute, Dictionary<int, int> ErrorsByMinute);

    /// <summary>Sends request i at start + i / rate, whatever happened to the ones before; latency counts from that instant.</summary>
    private static async Task<Result> RunAsync(int rate, int count, Func<int, Task<bool>> call, Action<int>? minuteDone, Process? server)
    {
        var byMinute = new SortedDictionary<int, List<double>>();
        var errors = new Dictionary<int, int>();
        var gate = new Lock();
        var inFlight = new List<Task>(count);
        var clock = Stopwatch.StartNew();
        var lastMinute = 0;
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var minute = (int)(due.TotalSeconds / 60);
            if (minute != lastMinute)
            {
                minuteDone?.Invoke(lastMinute + 1);
                lastMinute = minute;
                if (server is { HasExited: true })
                {
                    throw new InvalidOperationException("The server exited.");
                }
            }

            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                bool ok;
                try
                {
                    ok = await call(index);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    ok = false;
                }

                var latency = (clock.Elapsed - due).TotalMilliseconds;
                lock (gate)
                {
                    (byMinute.TryGetValue(minute, out var list) ? list : byMinute[minute] = []).Add(latency);
                    if (!ok)
                    {
                        errors[minute] = errors.GetValueOrDefault(minute) + 1;
                    }
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return new Result(byMinute, errors);
    }

    private static double P(List<double> latencies, double percentile)
    {
        var ordered = latencies.Order().ToList();
        return ordered[Math.Min(ordered.Count - 1, (int)Math.Ceiling(percentile / 100 * ordered.Count) - 1)];
    }

    private static async Task<bool> Hook(HttpClient http, string patientId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/patient-risk-summary")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["hook"] = "patient-view",
                ["hookInstance"] = Guid.NewGuid().ToString(),
                ["context"] = new JsonObject { ["userId"] = "Practitioner/load", ["patientId"] = patientId },
            }),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode;
    }

    private static async Task<bool> Noop(HttpClient http)
    {
        using var response = await http.GetAsync("/health/live");
        await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode;
    }

    private static long Rss(Process process)
    {
        process.Refresh();
        return process.WorkingSet64;
    }

    private static Process StartServer(string cli, string baseUrl, string database, string jwks, int rate)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli, "serve", "--urls", baseUrl })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__ClinicalCds"] = database;
        start.Environment["CdsHooks__PublicBaseUrl"] = baseUrl;
        start.Environment["CdsHooks__Clients__0__Issuer"] = Issuer;
        start.Environment["CdsHooks__Clients__0__JwksUri"] = jwks;
        start.Environment["CdsHooks__StoreFallback"] = "true";
        start.Environment["CdsHooks__ShowLowRisk"] = "true";
        start.Environment["CdsHooks__ClientRequestsPerSecond"] = (rate * 2).ToString(CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"server: {e.Data}"); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"server: {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !server.HasExited)
        {
            try
            {
                using var ready = await http.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException("The server did not become ready.");
    }

    private static async Task<List<string>> PatientIdsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT patient_id FROM patients ORDER BY patient_id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
