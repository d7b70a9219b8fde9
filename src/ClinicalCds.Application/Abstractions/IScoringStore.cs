using ClinicalCds.Application.Scoring;

namespace ClinicalCds.Application.Abstractions;

/// <summary>A request for one run: cohort × model as of an instant. The key makes the request idempotent.</summary>
public sealed record RunRequest(string RequestKey, string Cohort, CohortOptions Definition, string Model, DateTimeOffset AsOf, string Trigger);

/// <summary>The run a request created (or found, when it was made before) and its chunks not yet done.</summary>
public sealed record RunStart(long RunId, bool Created, IReadOnlyList<int> PendingChunks);

/// <summary>A claimed chunk: its run's model and instant, and its patients.</summary>
public sealed record ChunkWork(long RunId, int ChunkNo, string Model, DateTimeOffset AsOf, IReadOnlyList<string> PatientIds);

public enum ScoreStatus
{
    Scored,
    Skipped,
    Failed,
}

/// <summary>One patient's outcome in a run: a score (probability for a model, tier, factors) or why there is none.</summary>
public sealed record ScoreRecord(
    string PatientId,
    ScoreStatus Status,
    string? Reason = null,
    string? EncounterId = null,
    DateTimeOffset? FeaturesAsOf = null,
    double? Probability = null,
    string? Tier = null,
    string? Summary = null,
    IReadOnlyList<string>? TopFactors = null,
    string? PublishedScore = null,
    string? Method = null,
    IReadOnlyList<double?>? Inputs = null,
    ShadowScore? Candidate = null,
    string? NotRecorded = null);

/// <summary>
/// The score behind a hook's answer: the active method's (<paramref name="ActiveProbability"/> null when a published
/// score answered), and the candidate version's on the same inputs when one is loaded (never shown) — kept with the
/// call's audit row (<see cref="ICdsStore.RecordCallAsync"/>) for the outcome monitoring and the drift check, as runs
/// keep theirs.
/// </summary>
public sealed record HookScore(
    string Model, string PatientId, string EncounterId, DateTimeOffset Instant, string? HookInstance, ShadowScore? Candidate,
    string ActiveMethod, double? ActiveProbability, string ActiveTier, IReadOnlyList<double?> Inputs);

/// <summary>A stored score, with the tier of the patient's previous score of the same model.</summary>
public sealed record StoredScore(
    long RunId,
    string PatientId,
    string Model,
    DateTimeOffset AsOf,
    DateTimeOffset ScoredAt,
    string EncounterId,
    DateTimeOffset FeaturesAsOf,
    double? Probability,
    string Tier,
    string? PreviousTier,
    string Summary,
    IReadOnlyList<string> TopFactors,
    string PublishedScore,
    string Method)
{
    /// <summary>What the model did not know, as the card said it (the missing-data caveat); null when nothing was missing.</summary>
    public string? NotRecorded { get; init; }
}

public sealed record RunSummary(
    long RunId,
    string RequestKey,
    string Cohort,
    string Model,
    DateTimeOffset AsOf,
    string Trigger,
    string Status,
    int Patients,
    int Chunks,
    int ChunksDone,
    int Scored,
    int Skipped,
    int Failed,
    int TierChanges,
    IReadOnlyDictionary<string, int> SkipReasons,
    IReadOnlyList<string> Methods,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    double? Seconds,
    int DeliveriesPending,
    int DeliveriesFailed)
{
    public bool IsFinished => Status == RunStatuses.Completed;
}

public static class RunStatuses
{
    public const string Running = "running";
    public const string Completed = "completed";
}

/// <summary>Population runs and score history in PostgreSQL.</summary>
public interface IScoringStore
{
    /// <summary>
    /// Creates the run of <paramref name="request"/> with its cohort's patients in chunks (one transaction), or finds the
    /// run an earlier identical request created. Either way returns the chunks still to do.
    /// </summary>
    Task<RunStart> StartRunAsync(RunRequest request, int chunkSize, CancellationToken cancellationToken);

    /// <summary>Marks a chunk as being worked on and returns its patients; null when it is done already (nothing to do).</summary>
    Task<ChunkWork?> ClaimChunkAsync(long runId, int chunkNo, string worker, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: upserts the chunk's scores on (run, patient, model), moves the latest scores forward, marks the
    /// chunk done and, when it was the last one, closes the run. A retried chunk overwrites its earlier rows.
    /// <paramref name="awaitsDelivery"/> marks the chunk's RiskAssessments as pending delivery to the external FHIR server.
    /// </summary>
    Task CompleteChunkAsync(long runId, int chunkNo, IReadOnlyList<ScoreRecord> records, double elapsedMs, bool awaitsDelivery, CancellationToken cancellationToken);

    /// <summary>Records that a chunk attempt failed (the job is retried); the error is a type name, never data.</summary>
    Task RecordChunkErrorAsync(long runId, int chunkNo, string error, CancellationToken cancellationToken);

    Task<RunSummary?> GetRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>Newest first; only the runs of <paramref name="requestKey"/> when given.</summary>
    Task<IReadOnlyList<RunSummary>> ListRunsAsync(string? requestKey, int limit, CancellationToken cancellationToken);

    /// <summary>A patient's scores (every run, newest first), or one run's chunk of scores.</summary>
    Task<IReadOnlyList<StoredScore>> ScoresAsync(ScoreSelection selection, CancellationToken cancellationToken);

    /// <summary>How many stored scores <paramref name="selection"/> matches, whatever its limit and offset.</summary>
    Task<long> CountScoresAsync(ScoreSelection selection, CancellationToken cancellationToken);

    Task RecordDeliveryAsync(long runId, int chunkNo, string? error, CancellationToken cancellationToken);
}

/// <summary>Which stored scores to read: by patient (optionally one model), by run chunk, or one (run, model, patient).</summary>
/// <summary>Which stored scores to read: newest first, <paramref name="Limit"/> of them after skipping <paramref name="Offset"/>.</summary>
public sealed record ScoreSelection(string? PatientId = null, string? Model = null, long? RunId = null, int? ChunkNo = null, int Limit = 1000, int Offset = 0);

/// <summary>Enqueues the background jobs of population scoring (Hangfire in production).</summary>
public interface IScoringQueue
{
    /// <summary>Enqueues the orchestrator of one run; returns the job id.</summary>
    string EnqueueRun(string cohort, string model, string requestKey, DateTimeOffset? asOf);

    void EnqueueChunk(long runId, int chunkNo);

    void EnqueueDelivery(long runId, int chunkNo);
}

/// <summary>Sends RiskAssessments to the configured external FHIR server.</summary>
public interface IRiskAssessmentPublisher
{
    /// <summary>Posts a transaction Bundle; null on success, else what went wrong (status code or error type, no data).</summary>
    Task<string?> PublishAsync(Uri endpoint, string? token, string bundleJson, CancellationToken cancellationToken);
}
