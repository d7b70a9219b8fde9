namespace ClinicalCds.Infrastructure.Jobs;

/// <summary>Background jobs (section "Jobs"): Hangfire on PostgreSQL, in its own schema of the same database.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    public const string ScoringQueue = "scoring";
    public const string DeliveryQueue = "delivery";

    public string Schema { get; set; } = "hangfire";

    /// <summary>
    /// Jobs run at once per process. Default: one per two cores — a chunk job keeps about one core busy here and one in
    /// PostgreSQL (bench/population: on 2 cores, 2 jobs in one process ran 20% slower than 1).
    /// </summary>
    public int WorkerCount { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Whether the API host also runs jobs (else only `clinicalcds worker` processes do).</summary>
    public bool RunServerInApi { get; set; }

    /// <summary>
    /// How long a job fetched by a worker that stopped heart-beating stays invisible before another worker takes it
    /// (the sliding timeout is renewed while the worker lives, so long chunks are not taken twice).
    /// </summary>
    public int InvisibilityTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// How long a lock Hangfire takes (around a job's state change) outlives a process that died holding it. Hangfire's
    /// own locks last milliseconds; until this passes, a job whose worker was killed mid-change cannot move on
    /// (Hangfire.PostgreSql's default is 10 minutes).
    /// </summary>
    public int DistributedLockTimeoutSeconds { get; set; } = 60;

    /// <summary>How often an idle worker looks for jobs (a busy one takes the next job as soon as it is done).</summary>
    public int QueuePollIntervalSeconds { get; set; } = 2;
}
