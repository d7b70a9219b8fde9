using System.Net;
using System.Text;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.GetServing;
using ClinicalCds.Application.Monitoring.CheckInputDrift;
using ClinicalCds.Application.Monitoring.MonitorOutcomes;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Infrastructure.Models;
using ClinicalCds.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Models;

/// <summary>
/// The scoring server on a copy of the shipped models with a candidate beside the readmission model: version 9.0.0, the
/// same trees with its calibration intercept raised by 0.5, so that on every input its log-odds are the active
/// version's + 0.5 exactly (its ranking, hence its AUROC, is the active one's).
/// </summary>
public sealed class ShadowServerFixture() : ScoringServerFixture(
    CandidateBesideShipped(), 600, "--CdsHooks:RequireAuthentication=false", "--CdsHooks:StoreFallback=true")
{
    public const string Candidate = "9.0.0";
    public const double LogitShift = 0.5;

    private static string CandidateBesideShipped()
    {
        var shipped = Path.Combine(Repository.Root, "models");
        var root = Path.Combine(Path.GetTempPath(), $"clinicalcds-shadow-models-{Guid.NewGuid():N}");
        foreach (var file in Directory.GetFiles(shipped, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(shipped, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var active = ModelPackage.Read(Path.Combine(root, RiskCatalog.Readmission.Name, Repository.ShippedVersion(RiskCatalog.Readmission.Name))).Package!;
        var card = active.Card with { Version = Candidate, Calibration = active.Card.Calibration with { Intercept = active.Card.Calibration.Intercept + LogitShift } };
        (active with { Card = card }).WriteAsync(Path.Combine(root, RiskCatalog.Readmission.Name, Candidate)).GetAwaiter().GetResult();
        return root;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(ModelsRoot, recursive: true);
    }
}

/// <summary>Issue 22 item 5: shadow mode, promotion and rollback, end to end on a real server, its database and the CLI.</summary>
public sealed class ShadowModeTests(ShadowServerFixture fixture) : IClassFixture<ShadowServerFixture>
{
    private static readonly string Shipped = Repository.ShippedVersion(RiskCatalog.Readmission.Name);

    /// <summary>The named person a CLI serving change is made by (issue 32 item 2).</summary>
    private const string Promoter = "Dr Ana Lopez, CMIO";
    private static readonly string Active = $"readmission model {Shipped}";
    private const string Candidate = "readmission model 9.0.0";

    private static double Logit(double p) => Math.Log(p / (1 - p));

    private Dictionary<string, string> Cli => new()
    {
        ["ConnectionStrings__ClinicalCds"] = fixture.Database.ConnectionString,
        ["Models__Root"] = fixture.ModelsRoot,
    };

    private async Task<(HttpStatusCode Status, string Body)> DischargeHookAsync(string patientId, string encounterId, string hookInstance)
    {
        using var client = new HttpClient { BaseAddress = fixture.BaseUrl };
        var request = JsonSerializer.Serialize(new
        {
            hook = "encounter-discharge",
            hookInstance,
            context = new { userId = "Practitioner/1", patientId, encounterId },
        });
        using var response = await client.PostAsync("/cds-services/readmission-risk", new StringContent(request, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_candidate_is_scored_beside_the_active_version_never_shown_monitored_beside_it_then_promoted_and_rolled_back_with_an_audit()
    {
        var models = fixture.Services.GetRequiredService<IRiskModels>();
        Assert.Equal(Shipped, models.Find("readmission")!.Card.Version);
        Assert.Equal(ShadowServerFixture.Candidate, models.Candidate("readmission")!.Card.Version);

        // 1. Nightly runs: every target the active version scored, the candidate scored on the same inputs.
        foreach (var daysBefore in new[] { 150, 120, 90, 60, 30, 0 })
        {
            await fixture.ScoreAsync("last-12-months", "readmission", fixture.AsOf.AddDays(-daysBefore));
        }

        var pairs = await QueryAsync(
            """
            SELECT s.method, s.probability, c.method, c.probability, c.active_method, c.active_probability, c.inputs = s.inputs, c.source
            FROM risk_scores s LEFT JOIN shadow_scores c ON c.run_id = s.run_id AND c.patient_id = s.patient_id AND c.model = s.model
            WHERE s.model = 'readmission' AND s.status = 'scored'
            """,
            r => (Active: r.GetString(0), P: r.IsDBNull(1) ? (double?)null : r.GetDouble(1), Candidate: r.IsDBNull(2) ? null : r.GetString(2),
                Q: r.IsDBNull(3) ? double.NaN : r.GetDouble(3), ActiveMethod: r.IsDBNull(4) ? null : r.GetString(4),
                ActiveP: r.IsDBNull(5) ? (double?)null : r.GetDouble(5), SameInputs: !r.IsDBNull(6) && r.GetBoolean(6), Source: r.IsDBNull(7) ? null : r.GetString(7)));
        Assert.True(pairs.Count > 20, $"{pairs.Count} scored targets");
        Assert.All(pairs, p =>
        {
            Assert.Equal((Active, Candidate, Active, "run"), (p.Active, p.Candidate, p.ActiveMethod, p.Source));
            Assert.True(p.SameInputs);
            Assert.Equal(p.P, p.ActiveP);
            if (p.P is { } served)
            {
                Assert.Equal(ShadowServerFixture.LogitShift, Logit(p.Q) - Logit(served), 9);
            }
        });

        // 2. Never shown: not on the worklist, not in a RiskAssessment (below), not on a card (3).
        using (var careManager = new HttpClient { BaseAddress = fixture.BaseUrl })
        {
            careManager.DefaultRequestHeaders.Add("Cookie", await fixture.SignInAsync(ScoringServerFixture.CareManager));
            var worklist = await careManager.GetStringAsync("/api/worklist?model=readmission&pageSize=500");
            Assert.NotEqual(0, JsonDocument.Parse(worklist).RootElement.GetProperty("rows").GetArrayLength());
            Assert.DoesNotContain(ShadowServerFixture.Candidate, worklist, StringComparison.Ordinal);
        }

        // 3. A hook call: the card is the active version's; the candidate's score of the same target is kept.
        var (patientId, encounterId, runProbability) = (await QueryAsync(
            """
            SELECT patient_id, encounter_id, probability FROM risk_scores
            WHERE model = 'readmission' AND status = 'scored' AND probability IS NOT NULL AND as_of = (SELECT max(as_of) FROM risk_scores WHERE model = 'readmission')
            ORDER BY probability DESC LIMIT 1
            """, r => (r.GetString(0), r.GetString(1), r.GetDouble(2))))[0];
        using (var admin = fixture.AdminClient())
        {
            var assessments = await admin.GetStringAsync($"/fhir/RiskAssessment?patient={patientId}&_count=1000");
            Assert.Contains(Shipped, assessments, StringComparison.Ordinal);
            Assert.DoesNotContain(ShadowServerFixture.Candidate, assessments, StringComparison.Ordinal);
        }

        var (status, body) = await DischargeHookAsync(patientId, encounterId, "shadow-1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(Active, body, StringComparison.Ordinal);
        Assert.DoesNotContain(ShadowServerFixture.Candidate, body, StringComparison.Ordinal);
        var hookShadow = Assert.Single(await QueryAsync(
            "SELECT method, probability, active_probability, encounter_id FROM shadow_scores WHERE source = 'hook' AND hook_instance = 'shadow-1'",
            r => (Method: r.GetString(0), Q: r.GetDouble(1), P: r.GetDouble(2), Encounter: r.GetString(3))));
        Assert.Equal((Candidate, encounterId), (hookShadow.Method, hookShadow.Encounter));
        Assert.Equal(runProbability, hookShadow.P, 9); // the stay is judged at its discharge, by the hook as by the run
        Assert.Equal(ShadowServerFixture.LogitShift, Logit(hookShadow.Q) - Logit(hookShadow.P), 9);

        // 3b. What hooks serve is monitored as runs' scores are: the active version's score behind a card is kept once
        //     per target (the same call again adds nothing), and the outcome monitoring reads it — here a discharge no
        //     run scored.
        var hookServed = Assert.Single(await QueryAsync(
            "SELECT method, probability, encounter_id FROM hook_scores WHERE hook_instance = 'shadow-1'",
            r => (Method: r.GetString(0), P: r.GetDouble(1), Encounter: r.GetString(2))));
        Assert.Equal((Active, encounterId), (hookServed.Method, hookServed.Encounter));
        Assert.Equal(runProbability, hookServed.P, 9);
        Assert.Equal(HttpStatusCode.OK, (await DischargeHookAsync(patientId, encounterId, "shadow-1-again")).Status);
        Assert.Empty(await QueryAsync("SELECT 1 FROM hook_scores WHERE hook_instance = 'shadow-1-again'", r => r.GetInt32(0)));

        var unscored = await QueryAsync(
            """
            SELECT e.patient_id, e.encounter_id FROM encounters e
            WHERE e.class_code = 'IMP' AND e.period_end IS NOT NULL AND e.period_end < '2026-03-01' AND coalesce(e.discharge_disposition, '') <> 'exp'
              AND NOT EXISTS (SELECT 1 FROM risk_scores s WHERE s.encounter_id = e.encounter_id)
            ORDER BY e.encounter_id LIMIT 20
            """, r => (Patient: r.GetString(0), Stay: r.GetString(1)));
        string? hookOnly = null;
        foreach (var (patient, stay) in unscored)
        {
            if ((await DischargeHookAsync(patient, stay, $"hook-only-{stay}")).Body.Contains(Active, StringComparison.Ordinal))
            {
                hookOnly = stay;
                break;
            }
        }

        Assert.NotNull(hookOnly);
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            var served = await scope.ServiceProvider.GetRequiredService<IMonitoringStore>().ServedScoresAsync("readmission", fixture.AsOf, default);
            var fromHook = Assert.Single(served, s => s.EncounterId == hookOnly && !s.Shadow);
            Assert.Equal((Active, false), (fromHook.Method, fromHook.Shadow));
            // The candidate's answer to the same call, beside it.
            Assert.Contains(served, s => s.EncounterId == hookOnly && s.Method == Candidate && s.Shadow);
        }

        // 4. Monitoring: the candidate's months beside the active version's, with the paired comparison — the same
        //    ranking, so a paired difference of exactly zero (the candidate's own AUROC also counts the targets where the
        //    active version answered "insufficient data", which have no probability to pair).
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            var monitored = await mediator.Send(new MonitorOutcomesCommand(fixture.AsOf));
            var candidate = monitored.Periods.Where(p => p.Method == Candidate).ToList();
            // Months where every candidate score has the active version's beside it: there the two AUROCs are one.
            var unpairedMonths = (await scope.ServiceProvider.GetRequiredService<IMonitoringStore>().ServedScoresAsync("readmission", fixture.AsOf, default))
                .Where(s => s.Method == Candidate && s.ActiveProbability is null)
                .Select(s => new DateOnly(s.Instant.UtcDateTime.Year, s.Instant.UtcDateTime.Month, 1))
                .ToHashSet();
            Assert.Contains(candidate, p => !double.IsNaN(p.Metrics.Auroc.Value));
            Assert.Contains(monitored.Periods, p => p.Method == Active && !p.Shadow);
            Assert.All(candidate, p =>
            {
                Assert.True(p.Shadow);
                var comparison = Assert.Single(p.Comparisons);
                Assert.Equal($"active: {Active}", comparison.Name);
                if (!double.IsNaN(comparison.Auroc.Value))
                {
                    Assert.Equal(0, comparison.ModelMinusBaseline.Value, 12);
                    if (!unpairedMonths.Contains(p.Month))
                    {
                        Assert.Equal(p.Metrics.Auroc.Value, comparison.Auroc.Value, 12);
                    }
                }
            });

            var drift = await mediator.Send(new CheckInputDriftCommand(fixture.AsOf));
            Assert.Equal([Active, Candidate], drift.Where(d => d.Model == "readmission").Select(d => d.Method).Order(StringComparer.Ordinal));
        }

        using (var admin = fixture.AdminClient())
        {
            using var json = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/monitoring?model=readmission"));
            Assert.Contains(json.RootElement.GetProperty("outcomes").EnumerateArray(),
                p => p.GetProperty("method").GetString() == Candidate && p.GetProperty("shadow").GetBoolean());
        }

        // Issue 32 item 6: one version per seismometer export — the active version's scores by default, the candidate's
        // shadow scores in their own export when asked; seismometer would keep one of two rows per entity, context and time.
        var exports = Directory.CreateTempSubdirectory("clinicalcds-shadow-export-");
        try
        {
            foreach (var (version, method) in new[] { ((string?)null, Active), (ShadowServerFixture.Candidate, Candidate) })
            {
                var folder = Path.Combine(exports.FullName, version ?? "active");
                var (exported, said) = await CliProcess.RunAsync(fixture.CliEnvironment(), [.. new[] { "export-validation", "--model", "readmission", "--out", folder }, .. version is null ? Array.Empty<string>() : ["--version", version]]);
                Assert.True(exported == 0, said);
                var replay = await SeismometerReplay.LoadAsync(folder);
                Assert.NotEmpty(replay.Predictions);
                Assert.All(replay.Predictions, p => Assert.Equal(method, p.Model));
                Assert.Equal(replay.Predictions.Count, replay.Merged().Count);
            }

            var (unknown, unknownSaid) = await CliProcess.RunAsync(fixture.CliEnvironment(), "export-validation", "--model", "readmission", "--out", Path.Combine(exports.FullName, "x"), "--version", "7.0.0");
            Assert.Equal(1, unknown);
            Assert.Contains("readmission 7.0.0 is neither the active version nor the candidate", unknownSaid, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(exports.FullName, "x")));
        }
        finally
        {
            exports.Delete(recursive: true);
        }

        // 5. Promoted with the CLI (another process, same folder and database): the server follows, the change is audited.
        var (refused, refusal) = await CliProcess.RunAsync(Cli, "models", "promote", "readmission", "7.0.0", "--by", Promoter, "--reason", "four months in shadow");
        Assert.Equal(2, refused);
        Assert.Contains($"readmission 7.0.0 is not a valid model package (valid versions: {Shipped}, 9.0.0)", refusal, StringComparison.Ordinal);
        // Issue 32 item 2: no change without a named person and a reason.
        var (anonymous, nobody) = await CliProcess.RunAsync(Cli, "models", "promote", "readmission", "9.0.0", "--reason", "four months in shadow");
        Assert.Equal(2, anonymous);
        Assert.Contains("Name the person who makes the change (--by)", nobody, StringComparison.Ordinal);
        var (unexplained, why) = await CliProcess.RunAsync(Cli, "models", "promote", "readmission", "9.0.0", "--by", Promoter, "--reason", " ");
        Assert.Equal(2, unexplained);
        Assert.Contains("Give the reason for the change (--reason)", why, StringComparison.Ordinal);
        Assert.NotEqual(ShadowServerFixture.Candidate, models.Find("readmission")?.Card.Version);

        // Issue 32 item 3: a promotion shows and needs the shadow evidence — at least Models:Promotion:MinimumEvents events,
        // not significantly worse than the active version on the same targets — or an override, audited as one. (The
        // candidate here ranks as the active version does: a paired difference of exactly 0.)
        var strict = new Dictionary<string, string>(Cli) { ["Models__Promotion__MinimumEvents"] = "100000" };
        var (unproven, shortfall) = await CliProcess.RunAsync(strict, "models", "promote", "readmission", "9.0.0", "--by", Promoter, "--reason", "four months in shadow");
        Assert.Equal(2, unproven);
        Assert.Matches(@"readmission 9\.0\.0 cannot replace [0-9.]+ yet: [0-9]+ events in shadow \(at least 100000\) \([0-9]+ targets in shadow, [0-9]+ events; AUROC candidate − active 0 \(the two rank every target alike, as a recalibration does\)", shortfall.ReplaceLineEndings(" "));
        Assert.NotEqual(ShadowServerFixture.Candidate, models.Find("readmission")?.Card.Version);

        var (exit, output) = await CliProcess.RunAsync(strict, "models", "promote", "readmission", "9.0.0", "--by", Promoter, "--reason", "four months in shadow", "--override");
        Assert.True(exit == 0, output);
        Assert.Contains($"readmission 9.0.0 is active (was {Shipped})", output, StringComparison.Ordinal);
        await WaitForAsync(() => models.Find("readmission")?.Card.Version == ShadowServerFixture.Candidate, "the server to serve 9.0.0");
        Assert.Null(models.Candidate("readmission"));
        (status, body) = await DischargeHookAsync(patientId, encounterId, "shadow-2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(Candidate, body, StringComparison.Ordinal);
        Assert.Empty(await QueryAsync("SELECT 1 FROM shadow_scores WHERE hook_instance = 'shadow-2'", r => r.GetInt32(0)));

        // 6. Rolled back from the admin page, signed in as an administrator.
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl })
        {
            browser.DefaultRequestHeaders.Add("Cookie", await fixture.SignInAsync(ScoringServerFixture.Admin));
            var page = await browser.GetStringAsync("/models");
            Assert.Contains($"Roll back to {Shipped}", page, StringComparison.Ordinal);
            var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            using var rollback = await browser.PostAsync("/models?handler=Rollback", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["model"] = "readmission",
                ["reason"] = "alert rate doubled",
                ["__RequestVerificationToken"] = token,
            }));
            Assert.Equal(HttpStatusCode.Redirect, rollback.StatusCode);
        }

        await WaitForAsync(() => models.Find("readmission")?.Card.Version == Shipped, $"the server to serve {Shipped} again");
        Assert.Null(models.Candidate("readmission")); // 9.0.0 is retired, not the candidate again

        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            var overview = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GetServingQuery());
            Assert.Equal(
                [("rollback", "9.0.0", Shipped, ScoringServerFixture.Admin, "alert rate doubled"), ("promote (override)", Shipped, "9.0.0", Promoter, "four months in shadow")],
                overview.Changes.Select(c => (c.Action, c.FromVersion, c.ToVersion, c.Actor, c.Reason!.Split(" (")[0])));
            Assert.Contains("(promoted without the shadow evidence: ", overview.Changes.Single(c => c.Action == "promote (override)").Reason, StringComparison.Ordinal);
            Assert.Equal(["9.0.0"], overview.Models.Single(m => m.Versions.Model == "readmission").Versions.State.Retired);
        }

        var (again, nothing) = await CliProcess.RunAsync(Cli, "models", "rollback", "readmission", "--by", Promoter, "--reason", "once more");
        Assert.Equal(2, again);
        Assert.Contains($"readmission has no version that was active before {Shipped} to return to", nothing, StringComparison.Ordinal);
        var (listed, list) = await CliProcess.RunAsync(Cli, "models");
        Assert.Equal(0, listed);
        Assert.Contains("alert rate doubled", list, StringComparison.Ordinal);

        // 7. Going live from the admin page (issue 32 item 3): the active version is shown as not live here; without a
        // qualifying local evaluation the administrator must accept it, and the acceptance is audited with the evidence.
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl })
        {
            browser.DefaultRequestHeaders.Add("Cookie", await fixture.SignInAsync(ScoringServerFixture.Admin));
            var page = await browser.GetStringAsync("/models");
            Assert.Contains("not live here: runs silent, the published score answers", page, StringComparison.Ordinal);
            Assert.Contains($"Go live with {Shipped}", page, StringComparison.Ordinal);
            var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            FormUrlEncodedContent Form(bool accept) => new(new Dictionary<string, string>
            {
                ["model"] = "readmission", ["version"] = Shipped, ["reason"] = "AI committee, 2026-12-01", ["accept"] = accept ? "true" : "false", ["__RequestVerificationToken"] = token,
            });
            using (var unaccepted = await browser.PostAsync("/models?handler=GoLive", Form(accept: false)))
            {
                Assert.Equal(HttpStatusCode.Redirect, unaccepted.StatusCode);
            }

            Assert.Contains("no local evaluation that meets the go-live minimums", await browser.GetStringAsync("/models"), StringComparison.Ordinal);
            using (var accepted = await browser.PostAsync("/models?handler=GoLive", Form(accept: true)))
            {
                Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
            }

            Assert.Contains("live: shows cards", await browser.GetStringAsync("/models"), StringComparison.Ordinal);
        }

        var acceptance = await QueryAsync(
            $"SELECT actor || ' | ' || reason FROM model_serving_changes WHERE action = 'accept' AND to_version = '{Shipped}'", r => r.GetString(0));
        Assert.StartsWith($"{ScoringServerFixture.Admin} | AI committee, 2026-12-01 (accepted without a qualifying local evaluation: ", Assert.Single(acceptance), StringComparison.Ordinal);
    }
}
