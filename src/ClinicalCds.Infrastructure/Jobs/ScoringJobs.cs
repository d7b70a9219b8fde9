using ClinicalCds.Application.Scoring.DeliverRiskAssessments;
using ClinicalCds.Application.Scoring.ScoreChunk;
using ClinicalCds.Application.Scoring.StartRun;
using ClinicalCds.Application.Monitoring.CheckInputDrift;
using ClinicalCds.Application.Monitoring.CheckResultFeed;
using ClinicalCds.Application.Monitoring.MonitorOutcomes;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Application.Abstractions;
using Hangfire;
using Hangfire.Server;
using Mediator;
using Microsoft.Extensions.Logging;

namespace ClinicalCds.Infrastructure.Jobs;

/// <summary>
/// The Hangfire entry points of population scoring: thin, each sends one use case. Arguments are ids, never data.
/// Failed jobs are retried with Hangfire's growing delays (a PostgreSQL restart delays a run; it loses nothing).
/// </summary>
public sealed class ScoringJobs(IMediator mediator, IScoringStore store, ScoringOptions options, ILogger<ScoringJobs> logger)
{
    public static readonly string Worker = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// The orchestrator of one run. A recurring firing passes no request key: the job's own id is the key, so a retried
    /// firing resumes its run instead of starting another.
    /// </summary>
    [Queue(JobsOptions.ScoringQueue)]
    [AutomaticRetry(Attempts = 10)]
    [JobDisplayName("Start run: {0} × {1}")]
    public async Task StartRun(string cohort, string model, string? requestKey, DateTimeOffset? asOf, PerformContext? context)
    {
        var key = requestKey ?? $"recurring:{context?.BackgroundJob.Id ?? throw new InvalidOperationException("No job context.")}";
        // A recurring firing scores as of the minute the scheduler created it, which every cohort's firing of that night
        // shares however late a busy worker starts it (a retried firing keeps it too).
        if (requestKey is null && asOf is null && context is not null)
        {
            asOf = options.RunInstant(null, new DateTimeOffset(DateTime.SpecifyKind(context.BackgroundJob.CreatedAt, DateTimeKind.Utc)));
        }

        var start = await mediator.Send(new StartRunCommand(cohort, model, key, asOf, requestKey is null ? "recurring" : key.Split(':')[0]));
        logger.LogInformation("Run {RunId} ({Cohort} × {Model}): {Pending} chunks enqueued", start.RunId, cohort, model, start.PendingChunks.Count);
    }

    [Queue(JobsOptions.ScoringQueue)]
    [AutomaticRetry(Attempts = 10)]
    [JobDisplayName("Score run {0} chunk {1}")]
    public async Task ScoreChunk(long runId, int chunkNo, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await mediator.Send(new ScoreChunkCommand(runId, chunkNo, Worker), cancellationToken);
            logger.LogInformation(
                "Run {RunId} chunk {ChunkNo}: {Status} scored {Scored}, skipped {Skipped}, failed {Failed}",
                runId, chunkNo, outcome.AlreadyDone ? "already done;" : "done;", outcome.Scored, outcome.Skipped, outcome.Failed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await TryRecordAsync(() => store.RecordChunkErrorAsync(runId, chunkNo, e.GetType().Name, CancellationToken.None));
            throw;
        }
    }

    /// <summary>
    /// The model monitoring: labels the served scores whose windows have closed and recomputes each month, then checks the
    /// inputs served in the last days against each card (both idempotent).
    /// </summary>
    [Queue(JobsOptions.ScoringQueue)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Monitor outcomes")]
    public async Task MonitorOutcomes(CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new MonitorOutcomesCommand(options.AsOf), cancellationToken);
        logger.LogInformation("Outcome monitoring: {Labelled} served targets labelled, {Periods} method-months computed", result.Labelled, result.Periods.Count);
        foreach (var check in await mediator.Send(new CheckInputDriftCommand(options.AsOf), cancellationToken))
        {
            logger.LogInformation("Input drift of {Method}: {Targets} targets, {Alarms} features with alarms", check.Method, check.Targets, check.Alarmed.Count);
        }

        var feed = await mediator.Send(new CheckResultFeedCommand(options.AsOf), cancellationToken);
        logger.LogInformation("Result feed: {Codes} codes, {Alarms} with results not usable", feed.Feeds.Count, feed.Alarmed.Count);
    }

    /// <summary>Retried soon at first (an external server's blip), then ever more patiently (an outage), for about a day.</summary>
    [Queue(JobsOptions.DeliveryQueue)]
    [AutomaticRetry(Attempts = 10, DelaysInSeconds = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200])]
    [JobDisplayName("Deliver RiskAssessments of run {0} chunk {1}")]
    public async Task DeliverRiskAssessments(long runId, int chunkNo, CancellationToken cancellationToken) =>
        await mediator.Send(new DeliverRiskAssessmentsCommand(runId, chunkNo), cancellationToken);

    private async Task TryRecordAsync(Func<Task> record)
    {
        try
        {
            await record();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // The database is what failed; Hangfire's retry record is the trace of this attempt.
            logger.LogWarning("Could not record a chunk error: {Error}", e.GetType().Name);
        }
    }
}

/// <summary>Enqueues the scoring jobs in Hangfire's storage (shared by every worker process).</summary>
public sealed class HangfireScoringQueue(IBackgroundJobClient jobs) : IScoringQueue
{
    public string EnqueueRun(string cohort, string model, string requestKey, DateTimeOffset? asOf) =>
        jobs.Enqueue<ScoringJobs>(j => j.StartRun(cohort, model, requestKey, asOf, null));

    public void EnqueueChunk(long runId, int chunkNo) => jobs.Enqueue<ScoringJobs>(j => j.ScoreChunk(runId, chunkNo, CancellationToken.None));

    public void EnqueueDelivery(long runId, int chunkNo) =>
        jobs.Enqueue<ScoringJobs>(j => j.DeliverRiskAssessments(runId, chunkNo, CancellationToken.None));
}
