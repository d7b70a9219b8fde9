using System.Text.RegularExpressions;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Scoring;

/// <summary>Population runs across real `clinicalcds worker` processes: one killed mid-run, two sharing a run.</summary>
public sealed partial class WorkerProcessTests(WorkerPopulationFixture fixture) : IClassFixture<WorkerPopulationFixture>
{
    [GeneratedRegex(@"under request (\S+)\.")]
    private static partial Regex RequestKey();

    private async Task<long> RequestRunAsync()
    {
        var (exit, output) = await CliProcess.RunAsync(fixture.Environment, "score", "--cohort", "last-12-months", "--model", "readmission");
        Assert.True(exit == 0, output);
        var key = RequestKey().Match(output).Groups[1].Value;
        // The orchestrator job creates the run once a worker picks it up; the run is found by its request key.
        return await WaitForAsync(async () =>
        {
            var id = await fixture.Database.ScalarAsync("SELECT coalesce(max(run_id), 0) FROM score_runs WHERE starts_with(request_key, @key)", ("key", key));
            return id > 0 ? id : null;
        });
    }

    private async Task<long> WaitForAsync(Func<Task<long?>> value, int seconds = 90, params CliProcess[] workers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await value() is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                var outputs = string.Join("\n", workers.Select((w, i) => $"worker {i}: {w.Output}"));
                Assert.Fail($"Timed out.\n{await fixture.Database.JobsReportAsync()}\n{outputs}");
            }

            await Task.Delay(20);
        }
    }

    private Task<long> CountAsync(string sql, long runId) => fixture.Database.ScalarAsync(sql, ("run", runId));

    private async Task AssertScoredExactlyOnceAsync(long runId)
    {
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM score_runs WHERE run_id = @run AND status = 'completed'", runId));
        var patients = await CountAsync("SELECT patients FROM score_runs WHERE run_id = @run", runId);
        Assert.True(patients > 100);
        Assert.Equal(patients, await CountAsync("SELECT coalesce(sum(cardinality(patient_ids)), 0) FROM score_run_chunks WHERE run_id = @run", runId));
        Assert.Equal(patients, await CountAsync("SELECT count(*) FROM risk_scores WHERE run_id = @run", runId));
        Assert.Equal(patients, await CountAsync("SELECT count(DISTINCT patient_id) FROM risk_scores WHERE run_id = @run", runId));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM score_run_chunks WHERE run_id = @run AND status <> 'done'", runId));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM risk_scores WHERE run_id = @run AND status = 'failed'", runId));
        Assert.Equal(patients, await CountAsync("SELECT scored + skipped + failed FROM score_runs WHERE run_id = @run", runId));
    }

    [Fact]
    public async Task A_worker_killed_mid_run_loses_nothing_and_every_patient_is_scored_exactly_once()
    {
        var runId = await RequestRunWithWorkerAsync(out var first);
        await using (first)
        {
            await WaitForAsync(async () => await CountAsync("SELECT count(*) FROM score_run_chunks WHERE run_id = @run AND status = 'done'", runId) >= 5 ? 1 : null);
            first.Kill();
        }

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM score_runs WHERE run_id = @run AND status = 'completed'", runId));
        // A worker killed in the middle of a job's state change leaves that job's lock behind; make it so for every job
        // still queued, as the unluckiest kill would (Hangfire's lock rows: resource, acquired).
        await CountAsync(
            "WITH stale AS (INSERT INTO hangfire.lock (resource, acquired) SELECT DISTINCT 'hangfire:job:' || jobid || ':state-lock', now() FROM hangfire.jobqueue ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM stale WHERE @run > 0",
            runId);

        await using var second = CliProcess.Start(fixture.Environment, "worker");
        // A job that meets a stale lock before it expires is retried by Hangfire after its back-off (tens of seconds on a
        // loaded machine): the run completes, only later.
        await WaitForAsync(async () => await CountAsync("SELECT count(*) FROM score_runs WHERE run_id = @run AND status = 'completed'", runId) == 1 ? 1 : null, seconds: 240, workers: second);
        await AssertScoredExactlyOnceAsync(runId);
    }

    private Task<long> RequestRunWithWorkerAsync(out CliProcess worker)
    {
        worker = CliProcess.Start(fixture.Environment, "worker");
        return RequestRunAsync();
    }

    [Fact]
    public async Task Two_workers_split_a_run_without_duplicates()
    {
        await using var first = CliProcess.Start(fixture.Environment, "worker");
        await using var second = CliProcess.Start(fixture.Environment, "worker");
        var runId = await RequestRunAsync();
        await WaitForAsync(async () => await CountAsync("SELECT count(*) FROM score_runs WHERE run_id = @run AND status = 'completed'", runId) == 1 ? 1 : null, workers: [first, second]);

        await AssertScoredExactlyOnceAsync(runId);
        Assert.Equal(2, await CountAsync("SELECT count(DISTINCT worker) FROM score_run_chunks WHERE run_id = @run", runId));
    }
}
