using ClinicalCds.Domain.Risks;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Application.Scoring.ScoreChunk;
using ClinicalCds.Application.Scoring.StartRun;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Fhir;
using ClinicalCds.Infrastructure.Jobs;
using ClinicalCds.IntegrationTests.Infrastructure;
using Hangfire;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Scoring;

/// <summary>Population runs through the real server, its Hangfire server and PostgreSQL, on 300 synthetic patients.</summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class PopulationScoringTests(ScoringServerFixture fixture)
{
    private async Task<List<PatientTimeline>> AllTimelinesAsync()
    {
        var timelines = new List<PatientTimeline>();
        await foreach (var timeline in fixture.Services.GetRequiredService<IPatientTimelineReader>().ReadAllAsync(CancellationToken.None))
        {
            timelines.Add(timeline);
        }

        return timelines;
    }

    private async Task<List<Dictionary<string, object?>>> RowsAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        }

        return rows;
    }

    private async Task<T> SendAsync<T>(Mediator.ICommand<T> command)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    private async Task<RunSummary> RunAsync(long runId)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return Assert.Single(await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new Application.Scoring.GetRuns.GetRunsQuery(RunId: runId)));
    }

    [Fact]
    public async Task A_run_scores_every_patient_of_its_cohort_exactly_once_with_the_hook_path_and_closes()
    {
        var run = Assert.Single(await fixture.ScoreAsync("last-12-months", RiskCatalog.Readmission.Name));

        // The cohort, decided here from the timelines: any encounter that took place and started in the 12 months before.
        var timelines = await AllTimelinesAsync();
        var expected = timelines
            .Where(t => t.Encounters.Any(e => EncounterKinds.Happened(e) && e.Start <= fixture.AsOf && e.Start > fixture.AsOf.AddMonths(-12)))
            .ToDictionary(t => t.PatientId);
        Assert.True(expected.Count > 100, $"only {expected.Count} patients in the cohort");

        var rows = await RowsAsync("SELECT patient_id, status, reason, probability, tier, method FROM risk_scores WHERE run_id = $1", run.RunId);
        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), rows.Select(r => (string)r["patient_id"]!).Order(StringComparer.Ordinal));

        Assert.Equal(RunStatuses.Completed, run.Status);
        Assert.Equal(expected.Count, run.Patients);
        Assert.Equal(run.Patients, run.Scored + run.Skipped + run.Failed);
        Assert.Equal(0, run.Failed);
        Assert.Equal((expected.Count + ScoringServerFixture.ChunkSize - 1) / ScoringServerFixture.ChunkSize, run.Chunks);
        Assert.Equal(run.Chunks, run.ChunksDone);
        Assert.Equal(run.Skipped, run.SkipReasons.Values.Sum());
        Assert.Equal([Repository.ShippedModel("readmission")], run.Methods);

        // Each patient's outcome is what the hooks' path gives for the same instant: the same stay, the same probability.
        var models = fixture.Services.GetRequiredService<IRiskModels>();
        foreach (var row in rows)
        {
            var timeline = expected[(string)row["patient_id"]!];
            var choice = RiskCatalog.Readmission.Choose(timeline, fixture.AsOf);
            if (choice.Target is null)
            {
                Assert.Equal("skipped", row["status"]);
                Assert.Equal(choice.SkipReason, row["reason"]);
                continue;
            }

            Assert.Equal("scored", row["status"]);
            var single = RiskEngine.Score(RiskCatalog.Readmission, timeline, choice.Target, models);
            Assert.Equal(single.Explanation.Probability!.Value, (double)row["probability"]!, 12);
            Assert.Equal(single.Explanation.Tier.ToString().ToLowerInvariant(), row["tier"]);
        }

        Assert.True(run.Scored > 0, "nobody was scored");
    }

    [Fact]
    public async Task Repeating_a_finished_run_or_retrying_a_chunk_overwrites_and_never_duplicates()
    {
        var run = Assert.Single(await fixture.ScoreAsync("recent-discharges"));
        Assert.True(run.Scored > 0);
        const string snapshot = "SELECT patient_id, status, probability, tier, previous_tier, top_factors::text FROM risk_scores WHERE run_id = $1 ORDER BY patient_id";
        var before = await RowsAsync(snapshot, run.RunId);
        var latestBefore = await RowsAsync("SELECT patient_id, tier, previous_tier, tier_changed FROM latest_risk_scores WHERE run_id = $1 ORDER BY patient_id", run.RunId);

        // The orchestrator again with the same request: the same run, nothing left to enqueue.
        var again = await SendAsync(new StartRunCommand(run.Cohort, run.Model, run.RequestKey, null, "test"));
        Assert.False(again.Created);
        Assert.Equal(run.RunId, again.RunId);
        Assert.Empty(again.PendingChunks);

        // A done chunk's job again: nothing to do.
        Assert.True((await SendAsync(new ScoreChunkCommand(run.RunId, 0, "test"))).AlreadyDone);

        // A chunk whose worker died after committing but before Hangfire heard of it is run again: it overwrites.
        await fixture.Database.ScalarAsync("UPDATE score_run_chunks SET status = 'pending' WHERE run_id = @run AND chunk_no = 0", ("run", run.RunId));
        var retried = await SendAsync(new ScoreChunkCommand(run.RunId, 0, "test"));
        Assert.False(retried.AlreadyDone);
        Assert.Equal(run.Patients, retried.Scored + retried.Skipped + retried.Failed);

        Assert.Equal(
            JsonSerializer.Serialize(before), JsonSerializer.Serialize(await RowsAsync(snapshot, run.RunId)));
        Assert.Equal(
            JsonSerializer.Serialize(latestBefore),
            JsonSerializer.Serialize(await RowsAsync("SELECT patient_id, tier, previous_tier, tier_changed FROM latest_risk_scores WHERE run_id = $1 ORDER BY patient_id", run.RunId)));
        var after = await RunAsync(run.RunId);
        Assert.Equal((run.Status, run.Scored, run.Skipped, run.Failed, run.Patients), (after.Status, after.Scored, after.Skipped, after.Failed, after.Patients));
    }

    [Fact]
    public async Task A_new_run_flags_the_patients_whose_tier_changed_since_the_previous_score()
    {
        var first = Assert.Single(await fixture.ScoreAsync("recent-discharges"));
        var scored = await RowsAsync("SELECT patient_id, tier FROM latest_risk_scores WHERE run_id = $1 ORDER BY patient_id", first.RunId);
        Assert.True(scored.Count >= 2);

        // As if these scores were the previous night's, and that night had put one patient in another tier.
        var changed = (string)scored[0]["patient_id"]!;
        var was = (string)scored[0]["tier"]! == "high" ? "low" : "high";
        await fixture.Database.ScalarAsync(
            "UPDATE latest_risk_scores SET as_of = as_of - interval '1 day' WHERE run_id = @run", ("run", first.RunId));
        await fixture.Database.ScalarAsync(
            "UPDATE latest_risk_scores SET tier = @was WHERE patient_id = @patient AND model = 'readmission'", ("was", was), ("patient", changed));

        var second = Assert.Single(await fixture.ScoreAsync("recent-discharges"));
        Assert.Equal(1, second.TierChanges);
        var latest = await RowsAsync("SELECT patient_id, tier, previous_tier, tier_changed FROM latest_risk_scores WHERE run_id = $1", second.RunId);
        Assert.Equal(scored.Count, latest.Count);
        foreach (var row in latest)
        {
            var isChanged = (string)row["patient_id"]! == changed;
            Assert.Equal(isChanged, (bool)row["tier_changed"]!);
            Assert.Equal(isChanged ? was : row["tier"], row["previous_tier"]);
        }

        Assert.Equal(was, await StringAsync("SELECT previous_tier FROM risk_scores WHERE run_id = $1 AND patient_id = $2", second.RunId, changed));
    }

    [Fact]
    public async Task Two_runs_of_one_model_at_the_same_instant_are_one_score_not_a_change()
    {
        // Cohorts overlap (every recent discharge is also seen in the last 12 months): the second run's score of a patient
        // at the same instant, by the same method, is the same score — its previous stays what was before both.
        var instant = fixture.AsOf;
        var first = Assert.Single(await fixture.ScoreAsync("recent-discharges", asOf: instant));
        // What the night before had said of these patients (whatever earlier tests left): 12.3 %, moderate.
        await fixture.Database.ScalarAsync(
            "UPDATE latest_risk_scores SET previous_tier = 'moderate', previous_probability = 0.123 WHERE run_id = @run", ("run", first.RunId));
        var before = await RowsAsync("SELECT patient_id, previous_tier, previous_probability FROM latest_risk_scores WHERE run_id = $1 ORDER BY patient_id", first.RunId);
        Assert.NotEmpty(before);

        var overlapping = Assert.Single(await fixture.ScoreAsync("last-12-months", "readmission", instant));
        var after = await RowsAsync(
            "SELECT patient_id, previous_tier, previous_probability FROM latest_risk_scores WHERE run_id = $1 AND patient_id = ANY($2) ORDER BY patient_id",
            overlapping.RunId, before.Select(r => (string)r["patient_id"]!).ToArray());
        Assert.All(after, r => Assert.Equal(("moderate", 0.123), ((string?)r["previous_tier"], (double?)r["previous_probability"])));
        Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(after));
        // The run's history says the same of them.
        var history = await RowsAsync(
            "SELECT previous_tier FROM risk_scores WHERE run_id = $1 AND patient_id = ANY($2)", overlapping.RunId, before.Select(r => (string)r["patient_id"]!).ToArray());
        Assert.Equal(before.Count, history.Count);
        Assert.All(history, r => Assert.Equal("moderate", r["previous_tier"]));
    }

    private async Task<string?> StringAsync(string sql, params object[] parameters) =>
        (string?)(await RowsAsync(sql, parameters)).Single().Values.Single();

    [Fact]
    public async Task A_patient_in_hospital_gets_a_complication_score_from_the_model()
    {
        // An instant in the middle of a stay of the population, so the "admitted" cohort is not empty.
        var timelines = await AllTimelinesAsync();
        var stay = timelines.SelectMany(t => t.Encounters).Where(e => EncounterKinds.IsInpatient(e) && e.End - e.Start > TimeSpan.FromDays(2))
            .OrderBy(e => e.EncounterId, StringComparer.Ordinal).First();
        var asOf = stay.Start!.Value.AddDays(1);

        var run = Assert.Single(await fixture.ScoreAsync("admitted", asOf: asOf));
        Assert.Equal(RiskCatalog.Complication.Name, run.Model);
        Assert.Equal(asOf, run.AsOf);
        var expected = timelines.Where(t => t.Encounters.Any(e => EncounterKinds.IsInpatient(e) && e.Start <= asOf && (e.End is null || e.End > asOf)))
            .Select(t => t.PatientId).Order(StringComparer.Ordinal).ToList();
        var rows = await RowsAsync("SELECT patient_id, status, encounter_id, method, tier FROM risk_scores WHERE run_id = $1 ORDER BY patient_id", run.RunId);
        Assert.Equal(expected, rows.Select(r => (string)r["patient_id"]!));
        Assert.All(rows, r => Assert.Equal("scored", r["status"]));
        Assert.Contains(rows, r => (string)r["encounter_id"]! == stay.EncounterId);
        Assert.All(rows, r => Assert.Equal(Repository.ShippedModel("complication"), r["method"]));

        // The nightly run keeps NEWS2's alarm as the hooks do (issue 29 item 3): NEWS2 >= 7 or a single parameter scoring 3
        // is the high tier, 5-6 at least moderate, whatever the model says; no vital signs in 24 h is insufficient data.
        var byPatient = timelines.ToDictionary(t => t.PatientId);
        foreach (var row in rows)
        {
            var features = FeatureBuilder.Build(byPatient[(string)row["patient_id"]!], (string)row["encounter_id"]!, asOf)!;
            var news2 = News2.Score(PublishedScores.News2InputOf(features));
            var tier = (string)row["tier"]!;
            if (news2.NothingRecorded)
            {
                Assert.Equal(RiskAssessments.Insufficient, tier);
            }
            else if (news2.Total >= 7 || news2.Components.Any(c => c.Points == 3))
            {
                Assert.Equal("high", tier);
            }
            else if (news2.Total >= 5)
            {
                Assert.NotEqual("low", tier);
            }
        }
    }

    [Fact]
    public async Task Scores_are_served_as_FHIR_RiskAssessments_of_the_patient()
    {
        var run = Assert.Single(await fixture.ScoreAsync("recent-discharges"));
        var row = (await RowsAsync(
            // A patient with an input not recorded first: the filed assessment carries the card's missing-data caveat (issue 31 item 5).
            "SELECT patient_id, encounter_id, probability, tier, top_factors ->> 0 AS factor, not_recorded FROM risk_scores WHERE run_id = $1 AND status = 'scored' ORDER BY not_recorded IS NULL, patient_id LIMIT 1",
            run.RunId)).Single();
        var patient = (string)row["patient_id"]!;

        using (var anonymous = new HttpClient { BaseAddress = fixture.BaseUrl })
        {
            using var refused = await anonymous.GetAsync($"/fhir/RiskAssessment?patient={patient}");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var client = fixture.AdminClient();
        using var search = await client.GetAsync($"/fhir/RiskAssessment?patient={patient}&model=readmission");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var bundle = Assert.IsType<Bundle>(FhirJson.TryParse(await search.Content.ReadAsByteArrayAsync(), out var errors), exactMatch: false);
        Assert.Empty(errors);
        Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
        var assessments = bundle.Entry.Select(e => Assert.IsType<RiskAssessment>(e.Resource)).ToList();
        Assert.All(assessments, a => Assert.Equal($"Patient/{patient}", a.Subject.Reference));
        var assessment = assessments.Single(a => a.Id == RiskAssessments.Id(run.RunId, "readmission", patient));
        Assert.Equal(ObservationStatus.Final, assessment.Status);
        Assert.Equal($"Encounter/{row["encounter_id"]}", assessment.Encounter!.Reference);
        Assert.Equal(Repository.ShippedModel("readmission"), assessment.Method!.Coding.Single().Code);
        var prediction = assessment.Prediction.Single();
        Assert.Equal(Math.Round((double)row["probability"]!, 4), (double)Assert.IsType<FhirDecimal>(prediction.Probability).Value!.Value, 10);
        Assert.Equal(row["tier"], prediction.QualitativeRisk!.Coding.Single().Code);
        Assert.Contains((string)row["factor"]!, assessment.Note.Single().Text, StringComparison.Ordinal);
        var caveat = Assert.IsType<string>(row["not_recorded"]);
        Assert.Matches(@"^Not recorded: \d+ of the model's \d+ inputs", caveat);
        Assert.EndsWith($" {caveat}", assessment.Note.Single().Text, StringComparison.Ordinal);

        using var read = await client.GetAsync($"/fhir/RiskAssessment/{assessment.Id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(assessment.Id, Assert.IsType<RiskAssessment>(FhirJson.TryParse(await read.Content.ReadAsByteArrayAsync(), out _)).Id);

        foreach (var (url, status) in new[] { ("/fhir/RiskAssessment", 400), ("/fhir/RiskAssessment?patient=x&color=red", 400), ("/fhir/RiskAssessment/999-readmission-nobody", 404) })
        {
            using var bad = await client.GetAsync(url);
            Assert.Equal(status, (int)bad.StatusCode);
            Assert.IsType<OperationOutcome>(FhirJson.TryParse(await bad.Content.ReadAsByteArrayAsync(), out _));
        }
    }

    [Fact]
    public async Task A_patients_RiskAssessments_page_with_the_true_total_and_next_and_previous_links()
    {
        for (var days = 0; days < 3; days++)
        {
            await fixture.ScoreAsync("recent-discharges", asOf: fixture.AsOf.AddDays(-days));
        }

        var patient = (string)(await RowsAsync(
            "SELECT patient_id FROM risk_scores WHERE status = 'scored' GROUP BY patient_id HAVING count(*) >= 3 ORDER BY patient_id LIMIT 1")).Single()["patient_id"]!;
        var expected = await fixture.Database.ScalarAsync("SELECT count(*) FROM risk_scores WHERE status = 'scored' AND patient_id = @p", ("p", patient));
        using var client = fixture.AdminClient();
        var ids = new List<string>();
        var pages = 0;
        for (string? url = $"/fhir/RiskAssessment?patient={patient}&_count=1"; url is not null; pages++)
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var bundle = Assert.IsType<Bundle>(FhirJson.TryParse(await response.Content.ReadAsByteArrayAsync(), out _), exactMatch: false);
            Assert.Equal((int)expected, bundle.Total);
            Assert.Single(bundle.Entry);
            ids.Add(bundle.Entry[0].Resource!.Id!);
            Assert.Equal(pages > 0, bundle.Link.Any(l => l.Relation == "previous"));
            url = bundle.Link.FirstOrDefault(l => l.Relation == "next")?.Url;
        }

        Assert.Equal(expected, pages);
        Assert.Equal(expected, ids.Distinct().Count());
        using var negative = await client.GetAsync($"/fhir/RiskAssessment?patient={patient}&_offset=-1");
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
    }

    [Fact]
    public async Task RiskAssessments_reach_the_external_FHIR_server_and_failed_deliveries_are_recorded_and_retried()
    {
        fixture.ReceiverDown = true;
        IReadOnlyList<RunSummary> runs;
        try
        {
            runs = await fixture.ScoreAsync("recent-discharges");
            // Every chunk's delivery is tried (three attempts within the job) and recorded as failed, not dropped.
            await WaitUntilAsync(async () => (await fixture.Database.ScalarAsync(
                "SELECT count(*) FROM score_run_chunks WHERE run_id = @run AND delivery_status = 'failed' AND delivery_error = 'HTTP 503'",
                ("run", runs[0].RunId))) == runs[0].Chunks);
        }
        finally
        {
            fixture.ReceiverDown = false;
        }

        var failed = await RunAsync(runs[0].RunId);
        Assert.Equal(failed.Chunks, failed.DeliveriesFailed);

        // Hangfire retries the delivery; once the server is back, every RiskAssessment of the run arrives, as PUTs.
        await WaitUntilAsync(async () => (await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM score_run_chunks WHERE run_id = @run AND delivery_status = 'delivered' AND delivery_attempts >= 2",
            ("run", runs[0].RunId))) == runs[0].Chunks, seconds: 120);
        var prefix = $"RiskAssessment/{runs[0].RunId}-";
        var received = fixture.Delivered.SelectMany(b => b.RootElement.GetProperty("entry").EnumerateArray())
            .Select(e => (Url: e.GetProperty("request").GetProperty("url").GetString()!, Method: e.GetProperty("request").GetProperty("method").GetString()))
            .Where(e => e.Url.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.All(received, e => Assert.Equal("PUT", e.Method));
        Assert.Equal(runs[0].Scored, received.Select(e => e.Url).Distinct().Count());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not come true in time.");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task The_admin_API_and_the_jobs_dashboard_need_an_administrator()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl };
        using var wrongKey = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl };
        wrongKey.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-admin-key-at-all");
        foreach (var client in new[] { anonymous, wrongKey })
        {
            using var post = await client.PostAsJsonAsync("/admin/scoring/runs", new { cohort = "all" });
            Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
            using var list = await client.GetAsync("/admin/scoring/runs");
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
            // A browser is sent to sign in.
            using var jobs = await client.GetAsync("/jobs");
            Assert.Equal(HttpStatusCode.Redirect, jobs.StatusCode);
            Assert.StartsWith("/account/login", jobs.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using var admin = fixture.AdminClient();
        using var dashboard = await admin.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var page = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("ClinicalCds jobs", page, StringComparison.Ordinal);
        // Its language is one a screen reader knows (Hangfire writes the invariant culture's "iv").
        Assert.Contains("<html lang=\"en\">", page, StringComparison.Ordinal);
        Assert.DoesNotContain("lang=\"iv\"", page, StringComparison.Ordinal);

        using var unknown = await admin.PostAsJsonAsync("/admin/scoring/runs", new { cohort = "everyone" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var outcome = Assert.IsType<OperationOutcome>(FhirJson.TryParse(await unknown.Content.ReadAsByteArrayAsync(), out _));
        Assert.Contains("Unknown cohort 'everyone'", outcome.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Recurring_runs_are_registered_per_cohort_and_model_with_fixed_ids_and_the_configured_schedule()
    {
        var storage = fixture.Services.GetRequiredService<JobStorage>();
        var manager = fixture.Services.GetRequiredService<IRecurringJobManager>();
        manager.AddOrUpdate<ScoringJobs>("score:retired-cohort:readmission", j => j.StartRun("retired-cohort", "readmission", null, null, null), Cron.Daily());

        var registered = RecurringScoring.Register(manager, storage, fixture.Services.GetRequiredService<ScoringOptions>());

        Assert.Equal(
            ["score:admitted:complication", "score:last-12-months:complication", "score:last-12-months:readmission", "score:recent-discharges:readmission"],
            registered.Order(StringComparer.Ordinal));
        using var connection = storage.GetConnection();
        var recurring = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection)
            .Where(j => j.Id.StartsWith(RecurringScoring.Prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(registered.Order(StringComparer.Ordinal), recurring.Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.All(recurring, j => Assert.Equal(("0 2 * * *", "UTC", nameof(ScoringJobs.StartRun)), (j.Cron, j.TimeZoneId, j.Job.Method.Name)));
    }

    [Fact]
    public async Task A_nights_recurring_firings_score_as_of_the_minute_the_scheduler_created_them_however_late_they_start()
    {
        // Without a configured instant (a live store), the firings of two overlapping cohorts created seconds apart at
        // 02:00 — one started at once, one behind a busy queue — score as of one instant: 02:00.
        var storage = fixture.Services.GetRequiredService<JobStorage>();
        using var connection = storage.GetConnection();
        var created = new DateTime(2026, 6, 20, 2, 0, 0, DateTimeKind.Utc);
        var keys = new List<string>();
        foreach (var (cohort, seconds) in new[] { ("recent-discharges", 3), ("last-12-months", 41) })
        {
            await using var scope = fixture.Services.CreateAsyncScope();
            var jobs = new ScoringJobs(
                scope.ServiceProvider.GetRequiredService<IMediator>(), scope.ServiceProvider.GetRequiredService<IScoringStore>(), new ScoringOptions(),
                Microsoft.Extensions.Logging.Abstractions.NullLogger<ScoringJobs>.Instance);
            var id = $"night-{Guid.NewGuid():N}";
            var job = Hangfire.Common.Job.FromExpression<ScoringJobs>(j => j.StartRun(cohort, "readmission", null, null, null));
            var context = new Hangfire.Server.PerformContext(storage, connection, new BackgroundJob(id, job, created.AddSeconds(seconds)), new JobCancellationToken(false));
            await jobs.StartRun(cohort, "readmission", null, null, context);
            keys.Add($"recurring:{id}");
        }

        foreach (var key in keys)
        {
            var run = Assert.Single(await fixture.WaitForRunsAsync(key, 1));
            Assert.Equal(new DateTimeOffset(created), run.AsOf);
        }
    }
}
