using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Persistence;

/// <summary>
/// A PostgreSQL cluster of its own (scripts/pg.sh with a private directory), so that it can really be restarted: a
/// synthetic population imported by the CLI, and real `clinicalcds worker` and `serve` processes using it.
/// </summary>
public sealed partial class PrivateClusterFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"clinicalcds-pg-{Guid.NewGuid():N}");
    private readonly string _population = Path.Combine(Path.GetTempPath(), $"clinicalcds-restart-{Guid.NewGuid():N}");

    public string ConnectionString { get; private set; } = string.Empty;

    public Dictionary<string, string> Environment { get; } = [];

    [GeneratedRegex("export ConnectionStrings__ClinicalCds=(.+)")]
    private static partial Regex ExportLine();

    public async Task InitializeAsync()
    {
        var exported = ExportLine().Match(await PgAsync("start")).Groups[1].Value.Trim();
        ConnectionString = exported.Replace("\\", string.Empty, StringComparison.Ordinal).Trim('\'');
        foreach (var (name, value) in WorkerPopulationFixture.WorkerEnvironment(ConnectionString))
        {
            Environment[name] = value;
        }

        var (migrated, migrateOutput) = await CliProcess.RunAsync(Environment, "db", "migrate");
        Assert.True(migrated == 0, migrateOutput);
        PopulationGenerator.Generate(new SyntheticOptions(200, 61, SyntheticOptions.DefaultAsOf), _population);
        var (imported, importOutput) = await CliProcess.RunAsync(Environment, "import", _population);
        Assert.True(imported == 0, importOutput);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PgAsync("stop");
        Directory.Delete(_directory, recursive: true);
        Directory.Delete(_population, recursive: true);
    }

    /// <summary>Stops the cluster (fast shutdown: every connection is cut) for <paramref name="downtime"/>, then starts it again on its port.</summary>
    public async Task RestartAsync(TimeSpan downtime, Func<Task>? whileDown = null)
    {
        await PgAsync("stop");
        var down = Stopwatch.StartNew();
        if (whileDown is not null)
        {
            await whileDown();
        }

        var rest = downtime - down.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        Assert.Contains(ConnectionString.Split(';').First(p => p.StartsWith("Port=", StringComparison.Ordinal))[5..], await PgAsync("start"), StringComparison.Ordinal);
    }

    public Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters) =>
        TestDatabase.ScalarAsync(ConnectionString, sql, parameters);

    private async Task<string> PgAsync(string verb)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "scripts", "pg.sh"));
        start.ArgumentList.Add(verb);
        start.Environment.Remove("ConnectionStrings__ClinicalCds");
        start.Environment["CLINICALCDS_PGDIR"] = _directory;
        start.Environment["CLINICALCDS_PG_FSYNC"] = "off";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg.sh {verb}: {await error}");
        return await output + await error;
    }
}

/// <summary>PostgreSQL restarted under a population run and under hook traffic: delays and errors while it is down, nothing lost, no restart of ours.</summary>
public sealed class DatabaseRestartTests(PrivateClusterFixture cluster) : IClassFixture<PrivateClusterFixture>
{
    private async Task<long> WaitForAsync(Func<Task<long?>> value, int seconds, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                if (await value() is { } found)
                {
                    return found;
                }
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_PostgreSQL_restart_mid_run_delays_the_run_and_every_patient_is_still_scored_exactly_once()
    {
        await using var worker = CliProcess.Start(cluster.Environment, "worker");
        var (exit, output) = await CliProcess.RunAsync(cluster.Environment, "score", "--cohort", "last-12-months", "--model", "readmission");
        Assert.True(exit == 0, output);
        var runId = await WaitForAsync(async () => await cluster.ScalarAsync("SELECT coalesce(max(run_id), 0) FROM score_runs") is > 0 and var id ? id : null, 90, "the run");
        await WaitForAsync(async () => await cluster.ScalarAsync("SELECT count(*) FROM score_run_chunks WHERE run_id = @run AND status = 'done'", ("run", runId)) >= 3 ? 1 : null, 90, "three chunks");

        await cluster.RestartAsync(TimeSpan.FromSeconds(6));

        Assert.False(worker.HasExited, worker.Output);
        await WaitForAsync(async () => await cluster.ScalarAsync("SELECT count(*) FROM score_runs WHERE run_id = @run AND status = 'completed'", ("run", runId)) == 1 ? 1 : null,
            240, $"the run to complete after the restart\n{worker.Output}");

        var patients = await cluster.ScalarAsync("SELECT patients FROM score_runs WHERE run_id = @run", ("run", runId));
        Assert.True(patients > 50);
        Assert.Equal(patients, await cluster.ScalarAsync("SELECT count(*) FROM risk_scores WHERE run_id = @run", ("run", runId)));
        Assert.Equal(patients, await cluster.ScalarAsync("SELECT count(DISTINCT patient_id) FROM risk_scores WHERE run_id = @run", ("run", runId)));
        Assert.Equal(0, await cluster.ScalarAsync("SELECT count(*) FROM risk_scores WHERE run_id = @run AND status = 'failed'", ("run", runId)));
        Assert.Equal(patients, await cluster.ScalarAsync("SELECT scored + skipped + failed FROM score_runs WHERE run_id = @run", ("run", runId)));
    }

    [Fact]
    public async Task Under_hook_traffic_a_PostgreSQL_restart_fails_calls_only_while_it_is_down_and_the_server_recovers_by_itself()
    {
        var url = new Uri($"http://127.0.0.1:{Ports.Free()}");
        var environment = new Dictionary<string, string>(cluster.Environment)
        {
            ["CdsHooks__RequireAuthentication"] = "false",
            ["CdsHooks__StoreFallback"] = "true",
            ["CdsHooks__ShowLowRisk"] = "true",
            ["Auth__SeedUsers__0__Email"] = "outage.watcher@hospital.test",
            ["Auth__SeedUsers__0__Password"] = "correct horse battery staple",
            ["Auth__SeedUsers__0__Role"] = "care-manager",
        };
        await using var api = CliProcess.Start(environment, CliProcess.Serve(url));
        // A loaded 2-core machine can take seconds over one call (issue 35 item 7): a call fails by its answer, not by a
        // client that gave up early.
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        await WaitForAsync(async () =>
        {
            try
            {
                using var ready = await client.GetAsync("/health/ready");
                return ready.StatusCode == HttpStatusCode.OK ? 1 : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, 60, $"the server\n{api.Output}");

        var patient = await PatientIdAsync();
        var cookie = await SignInAsync(url, "outage.watcher@hospital.test", "correct horse battery staple");
        var calls = new List<(TimeSpan At, HttpStatusCode? Status)>();
        var retryAfter = new List<TimeSpan?>();
        (HttpStatusCode Status, string? RetryAfter, string Body)? pageWhileDown = null;
        var clock = Stopwatch.StartNew();
        TimeSpan? downAt = null, upAt = null;
        HttpStatusCode? readyWhileDown = null;

        async Task CallAsync()
        {
            var at = clock.Elapsed;
            try
            {
                using var response = await client.PostAsJsonAsync("/cds-services/patient-risk-summary", new JsonObject
                {
                    ["hook"] = "patient-view",
                    ["hookInstance"] = Guid.NewGuid().ToString(),
                    ["context"] = new JsonObject { ["userId"] = "Practitioner/load", ["patientId"] = patient },
                });
                calls.Add((at, response.StatusCode));
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    retryAfter.Add(response.Headers.RetryAfter?.Delta);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                calls.Add((at, null));
            }
        }

        async Task TrafficAsync(TimeSpan until, Func<bool>? enough = null)
        {
            while (clock.Elapsed < until && enough?.Invoke() != true)
            {
                await CallAsync();
                await Task.Delay(50);
            }
        }

        // After the start: calls until eleven have been made since the first success, at most a minute.
        bool Recovered() => calls.SkipWhile(c => c.At < upAt || c.Status != HttpStatusCode.OK).Count() > 11;

        await TrafficAsync(TimeSpan.FromSeconds(4));
        downAt = clock.Elapsed;
        await cluster.RestartAsync(TimeSpan.FromSeconds(6), async () =>
        {
            using var ready = await client.GetAsync("/health/ready");
            readyWhileDown = ready.StatusCode;
            await TrafficAsync(clock.Elapsed + TimeSpan.FromSeconds(4));
            // A care manager's browser asks for the worklist: a page that says what is happening, not raw JSON.
            using var request = new HttpRequestMessage(HttpMethod.Get, "/worklist");
            request.Headers.Add("Cookie", cookie);
            request.Headers.Add("Accept", "text/html,application/xhtml+xml");
            using var page = await client.SendAsync(request);
            pageWhileDown = (page.StatusCode, page.Headers.RetryAfter?.ToString(), await page.Content.ReadAsStringAsync());
        });
        upAt = clock.Elapsed;
        await TrafficAsync(upAt.Value + TimeSpan.FromSeconds(60), Recovered);

        Assert.False(api.HasExited, api.Output);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyWhileDown);
        using (var ready = await client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // Before the stop every call succeeded; while it was down calls failed (cleanly: an answer, not a dropped connection);
        // soon after the start calls succeed again, with the same process, and from the first success on every one does.
        // "Soon" is judged by the first success, not by the clock alone: on a loaded machine the first call after the
        // start may itself take seconds (issue 35 item 7), and what the test proves is that the server recovers by itself.
        var before = calls.Where(c => c.At < downAt).ToList();
        var during = calls.Where(c => c.At > downAt && c.At < upAt).ToList();
        var recovered = calls.FirstOrDefault(c => c.At > upAt && c.Status == HttpStatusCode.OK);
        Assert.True(recovered.Status == HttpStatusCode.OK, $"no call succeeded in the minute after the start: {string.Join(", ", calls.Where(c => c.At > upAt).Select(c => c.Status?.ToString() ?? "no answer"))}");
        Assert.True(recovered.At - upAt < TimeSpan.FromSeconds(30), $"the first call to succeed started {(recovered.At - upAt.Value).TotalSeconds:F1} s after the start");
        var after = calls.Where(c => c.At > recovered.At).ToList();
        Assert.NotEmpty(before);
        Assert.All(before, c => Assert.Equal(HttpStatusCode.OK, c.Status));
        Assert.NotEmpty(during);
        Assert.All(during, c => Assert.NotNull(c.Status));
        Assert.Contains(during, c => c.Status != HttpStatusCode.OK);
        // Issue 33 item 1: the calls the outage fails are 503 with Retry-After, never 500; a browser gets a page; the log
        // reports the outage a few times, not a stack trace per request.
        Assert.All(during.Where(c => c.Status != HttpStatusCode.OK), c => Assert.Equal(HttpStatusCode.ServiceUnavailable, c.Status));
        Assert.NotEmpty(retryAfter);
        Assert.All(retryAfter, r => Assert.Equal(TimeSpan.FromSeconds(5), r));
        Assert.NotNull(pageWhileDown);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "5"), (pageWhileDown.Value.Status, pageWhileDown.Value.RetryAfter));
        Assert.Contains("ClinicalCds is briefly unavailable", pageWhileDown.Value.Body, StringComparison.Ordinal);
        var reports = Regex.Count(api.Output, "The database cannot be reached");
        Assert.InRange(reports, 1, 4);
        Assert.DoesNotContain("An unhandled exception has occurred while executing the request", api.Output, StringComparison.Ordinal);
        Assert.True(after.Count > 10, $"{after.Count} calls after recovery");
        Assert.All(after, c => Assert.Equal(HttpStatusCode.OK, c.Status));
    }

    private async Task<string> PatientIdAsync()
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT patient_id FROM patients ORDER BY patient_id LIMIT 1", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> SignInAsync(Uri url, string email, string password)
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = url };
        var form = await browser.GetStringAsync("/account/login");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var login = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return $"clinicalcds={cookies.GetCookies(url)["clinicalcds"]!.Value}";
    }
}
