namespace ClinicalCds.Infrastructure.Persistence;

// Table shapes of the FHIR store. The bulk paths write them with binary COPY (PostgresFhirStore);
// EF Core owns only the schema and its migrations.

public sealed class FhirResourceRow
{
    public required string ResourceType { get; set; }
    public required string Id { get; set; }
    public int VersionId { get; set; }
    public bool IsCurrent { get; set; }
    public string? PatientId { get; set; }
    public DateTimeOffset LastUpdated { get; set; }
    public required string Content { get; set; }
}

/// <summary>
/// An index of the store's tables set aside by a running (or interrupted) initial load: the statement that builds it
/// again. Empty except during an initial load.
/// </summary>
public sealed class InitialLoadIndexRow
{
    public int Ordinal { get; set; }
    public required string Statement { get; set; }
}

public sealed class PatientRow
{
    public required string PatientId { get; set; }
    public DateOnly? BirthDate { get; set; }
    public string? Sex { get; set; }
    public bool Deceased { get; set; }
    public DateTimeOffset? DeceasedAt { get; set; }
    /// <summary>"Given Family" of the official name; for people finding the patient, never for features.</summary>
    public string? Name { get; set; }
    /// <summary>Medical record number (identifier typed MR).</summary>
    public string? Mrn { get; set; }
    /// <summary>US Core race (OMB category), for model evaluation by subgroup; never a feature.</summary>
    public string? Race { get; set; }
    /// <summary>US Core ethnicity (OMB category), for model evaluation by subgroup; never a feature.</summary>
    public string? Ethnicity { get; set; }
}

public sealed class EncounterRow
{
    public required string EncounterId { get; set; }
    public required string PatientId { get; set; }
    public string? Status { get; set; }
    public string? ClassCode { get; set; }
    public string? TypeSystem { get; set; }
    public string? TypeCode { get; set; }
    public string? TypeDisplay { get; set; }
    public DateTimeOffset? PeriodStart { get; set; }
    public DateTimeOffset? PeriodEnd { get; set; }
    public string? PriorityCode { get; set; }
    public string? AdmitSource { get; set; }
    public string? DischargeDisposition { get; set; }
    public string? ServiceType { get; set; }
    public bool HadIntensiveCare { get; set; }
    /// <summary>The locations of the stay (jsonb array of EncounterLocationFact).</summary>
    public required string Locations { get; set; }
    /// <summary>inpatient, emergency, observation, intensive-care or other, by the encounter rules in force when it was read.</summary>
    public string? Kind { get; set; }
    public string? PartOf { get; set; }
}

public sealed class ConditionRow
{
    public required string ConditionId { get; set; }
    public int Seq { get; set; }
    public required string PatientId { get; set; }
    public string? EncounterId { get; set; }
    public required string System { get; set; }
    public required string Code { get; set; }
    public string? Display { get; set; }
    public string? ClinicalStatus { get; set; }
    public string? VerificationStatus { get; set; }
    public string? Category { get; set; }
    public DateTimeOffset? Onset { get; set; }
    public DateTimeOffset? Recorded { get; set; }
    public DateTimeOffset? Abatement { get; set; }
}

public sealed class ObservationRow
{
    public required string ObservationId { get; set; }
    public int Seq { get; set; }
    public required string PatientId { get; set; }
    public string? EncounterId { get; set; }
    public required string System { get; set; }
    public required string Code { get; set; }
    public double? Value { get; set; }
    public string? Unit { get; set; }
    public double? OriginalValue { get; set; }
    public string? OriginalUnit { get; set; }
    public string? ValueCode { get; set; }
    public string? Status { get; set; }
    public DateTimeOffset? Effective { get; set; }
}

public sealed class ProcedureRow
{
    public required string ProcedureId { get; set; }
    public required string PatientId { get; set; }
    public string? EncounterId { get; set; }
    public string? System { get; set; }
    public string? Code { get; set; }
    public string? Display { get; set; }
    public string? Status { get; set; }
    public DateTimeOffset? PerformedStart { get; set; }
    public DateTimeOffset? PerformedEnd { get; set; }
}

public sealed class MedicationRequestRow
{
    public required string MedicationRequestId { get; set; }
    public required string PatientId { get; set; }
    public string? EncounterId { get; set; }
    public string? System { get; set; }
    public string? Code { get; set; }
    public string? Display { get; set; }
    public string? Status { get; set; }
    public string? Intent { get; set; }
    public DateTimeOffset? AuthoredOn { get; set; }
}

// CDS Hooks: the cards we issued (feedback must name one), the feedback on them, the audit trail of calls, and the
// JWT ids already used (replay protection shared by every server process).

public sealed class CdsCardRow
{
    public Guid Uuid { get; set; }
    public required string ServiceId { get; set; }
    public required string HookInstance { get; set; }
    public required string PatientId { get; set; }
    public required string Indicator { get; set; }
    public required string Summary { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    /// <summary>The uuids of the suggestions the card offered: accepted feedback must name these.</summary>
    public Guid[] SuggestionIds { get; set; } = [];
    /// <summary>The override reasons the card offered, as <c>system|code</c>: overridden feedback must give one of these.</summary>
    public string[] OverrideReasons { get; set; } = [];
    /// <summary>The card's one outcome (accepted or overridden), once feedback has arrived.</summary>
    public string? Outcome { get; set; }
    /// <summary>The outcome with what it chose (suggestions, reason): a repeat with the same key is idempotent, any other a conflict.</summary>
    public string? OutcomeKey { get; set; }
}

public sealed class CdsFeedbackRow
{
    public long Id { get; set; }
    public Guid CardUuid { get; set; }
    public required string ServiceId { get; set; }
    public required string Outcome { get; set; }
    public DateTimeOffset OutcomeTimestamp { get; set; }
    /// <summary>The feedback item as received (jsonb): accepted suggestions, override reason, comment.</summary>
    public required string Content { get; set; }
    /// <summary>SHA-256 of the canonical item, unique: identical feedback sent twice is stored once.</summary>
    public required string ContentHash { get; set; }
    public string? ClientId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

public sealed class CdsAuditRow
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string ServiceId { get; set; }
    public string? HookInstance { get; set; }
    public string? ClientId { get; set; }
    public string? UserId { get; set; }
    public string? PatientId { get; set; }
    public int Status { get; set; }
    public required string Outcome { get; set; }
    public double LatencyMs { get; set; }
}

public sealed class CdsTokenUseRow
{
    public required string Issuer { get; set; }
    public required string Jti { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

// Population scoring: a run per cohort × model, its chunks (the unit a worker claims), every patient's outcome per run
// (the score history), and the latest score of each patient and model (what the worklist ranks).

public sealed class ScoreRunRow
{
    public long RunId { get; set; }
    /// <summary>Unique: the same request (a recurring job's firing, a CLI or API call) never creates two runs.</summary>
    public required string RequestKey { get; set; }
    public required string Cohort { get; set; }
    public required string Model { get; set; }
    public DateTimeOffset AsOf { get; set; }
    public required string Trigger { get; set; }
    public required string Status { get; set; }
    public int Patients { get; set; }
    public int Chunks { get; set; }
    public int Scored { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public int TierChanges { get; set; }
    /// <summary>jsonb: skip reason → count, filled when the run closes.</summary>
    public required string SkipReasons { get; set; }
    public string[] Methods { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

public sealed class ScoreRunChunkRow
{
    public long RunId { get; set; }
    public int ChunkNo { get; set; }
    public string[] PatientIds { get; set; } = [];
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public string? Worker { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public double? ElapsedMs { get; set; }
    /// <summary>External RiskAssessment delivery: null (not configured), pending, delivered or failed.</summary>
    public string? DeliveryStatus { get; set; }
    public int DeliveryAttempts { get; set; }
    public string? DeliveryError { get; set; }
}

public sealed class RiskScoreRow
{
    public long RunId { get; set; }
    public required string PatientId { get; set; }
    public required string Model { get; set; }
    public DateTimeOffset AsOf { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
    /// <summary>scored, skipped or failed.</summary>
    public required string Status { get; set; }
    public string? Reason { get; set; }
    public string? EncounterId { get; set; }
    public DateTimeOffset? FeaturesAsOf { get; set; }
    public double? Probability { get; set; }
    public string? Tier { get; set; }
    public string? PreviousTier { get; set; }
    public string? Summary { get; set; }
    /// <summary>jsonb array of the top factors in words.</summary>
    public string? TopFactors { get; set; }
    public string? PublishedScore { get; set; }
    public string? Method { get; set; }
    /// <summary>jsonb: the feature vector scored, in catalog order (null where not recorded), for the input-drift check.</summary>
    public string? Inputs { get; set; }
    /// <summary>The missing-data caveat as the card said it ("Not recorded: 9 of the model's 78 inputs ..."); null when nothing was missing.</summary>
    public string? NotRecorded { get; set; }
}

public sealed class LatestRiskScoreRow
{
    public required string PatientId { get; set; }
    public required string Model { get; set; }
    public long RunId { get; set; }
    public DateTimeOffset AsOf { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
    public required string EncounterId { get; set; }
    public DateTimeOffset FeaturesAsOf { get; set; }
    public double? Probability { get; set; }
    public required string Tier { get; set; }
    /// <summary>Ordinal of the tier (0 low, 1 moderate, 2 high), for ranking when there is no probability.</summary>
    public int TierRank { get; set; }
    public string? PreviousTier { get; set; }
    public double? PreviousProbability { get; set; }
    public bool TierChanged { get; set; }
    public required string Summary { get; set; }
    public string? TopFactor { get; set; }
    public required string PublishedScore { get; set; }
    public required string Method { get; set; }
    /// <summary>The stay's service and discharge (when it had ended by the run), copied here so the worklist reads one table.</summary>
    public string? Service { get; set; }
    public DateTimeOffset? Discharge { get; set; }
}

// The care-manager worklist: review status and assignee per patient and model, the history of every action, and the
// audit of every view of a patient's risk.

public sealed class PatientReviewRow
{
    public required string PatientId { get; set; }
    public required string Model { get; set; }
    public bool Reviewed { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    public string? ReviewedBy { get; set; }
    public string? Assignee { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class PatientReviewEventRow
{
    public long Id { get; set; }
    public required string PatientId { get; set; }
    public required string Model { get; set; }
    public DateTimeOffset At { get; set; }
    public required string UserName { get; set; }
    /// <summary>reviewed, unreviewed, assigned, note.</summary>
    public required string Action { get; set; }
    public string? Detail { get; set; }
}

public sealed class WorklistAuditRow
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string UserName { get; set; }
    public string? PatientId { get; set; }
    /// <summary>What was done: view-worklist, view-patient, export-csv, reviewed, assigned, note, ...</summary>
    public required string Action { get; set; }
    public string? Detail { get; set; }
}

/// <summary>model_monitoring: one method's realised performance over one month's targets whose windows closed (issue 22).</summary>
public sealed class ModelMonitoringRow
{
    public required string Method { get; set; }
    public DateOnly Month { get; set; }
    public required string Model { get; set; }
    public DateTimeOffset ComputedAt { get; set; }
    public int Rows { get; set; }
    public int Positives { get; set; }
    /// <summary>jsonb: CardMetrics.</summary>
    public required string Metrics { get; set; }
    /// <summary>jsonb: CardSubgroup[].</summary>
    public required string Subgroups { get; set; }
    /// <summary>jsonb: CardBaseline[] — a candidate against the active version on the same targets (paired).</summary>
    public string Comparisons { get; set; } = "[]";
    /// <summary>Every target of the period was scored as a candidate (never shown).</summary>
    public bool Shadow { get; set; }
    /// <summary>Targets left out for being first scored later than the monitoring's maximum lag after their instant.</summary>
    public int Late { get; set; }
    /// <summary>Median hours from a counted target's instant to its first score.</summary>
    public double? MedianLagHours { get; set; }
}

/// <summary>
/// A candidate model version's score (issue 22 item 5), from a run's chunk or a hook call, with the active version's
/// answer on the same inputs. Never shown: no worklist, RiskAssessment or card reads this table; the outcome monitoring
/// and the input-drift check do.
/// </summary>
public sealed class ShadowScoreRow
{
    public long Id { get; set; }
    public required string Model { get; set; }
    /// <summary>The candidate's method, "readmission model 0.4.0".</summary>
    public required string Method { get; set; }
    /// <summary>run or hook.</summary>
    public required string Source { get; set; }
    public long? RunId { get; set; }
    public string? HookInstance { get; set; }
    public required string PatientId { get; set; }
    public required string EncounterId { get; set; }
    public DateTimeOffset FeaturesAsOf { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
    public double Probability { get; set; }
    public required string Tier { get; set; }
    public required string ActiveMethod { get; set; }
    public double? ActiveProbability { get; set; }
    public required string ActiveTier { get; set; }
    /// <summary>jsonb: the feature vector both versions scored.</summary>
    public string? Inputs { get; set; }
}

/// <summary>
/// The active model's score behind a hook's answer (issue 22 items 2 and 3): what the card showed, on the inputs it was
/// computed from, so that the outcome monitoring and the input-drift check see what hooks serve as well as what runs
/// store. One row per method, patient, stay and instant: the same call repeated (a retry, a page refresh) is one score.
/// </summary>
public sealed class HookScoreRow
{
    public long Id { get; set; }
    public required string Model { get; set; }
    /// <summary>"readmission model 0.4.0".</summary>
    public required string Method { get; set; }
    public string? HookInstance { get; set; }
    public required string PatientId { get; set; }
    public required string EncounterId { get; set; }
    public DateTimeOffset FeaturesAsOf { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
    public double Probability { get; set; }
    public required string Tier { get; set; }
    /// <summary>jsonb: the feature vector scored.</summary>
    public string? Inputs { get; set; }
}

/// <summary>An audited change of which model version is active: promote or rollback, by whom, from which version to which.</summary>
public sealed class ModelServingChangeRow
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Model { get; set; }
    /// <summary>promote or rollback.</summary>
    public required string Action { get; set; }
    public string? FromVersion { get; set; }
    public required string ToVersion { get; set; }
    public required string Actor { get; set; }
    public string? Reason { get; set; }
}

/// <summary>model_drift: one input-drift check of a method's served inputs over a period against its card (issue 22).</summary>
public sealed class ModelDriftRow
{
    public required string Method { get; set; }
    public DateTimeOffset Until { get; set; }
    public required string Model { get; set; }
    public DateTimeOffset From { get; set; }
    public DateTimeOffset ComputedAt { get; set; }
    public int Targets { get; set; }
    public int Alarms { get; set; }
    /// <summary>jsonb: FeatureDrift[].</summary>
    public required string Features { get; set; }
}

/// <summary>result_feed_checks: one check of the laboratory and vital-sign results received over a period (issue 32 item 5).</summary>
public sealed class ResultFeedCheckRow
{
    public DateTimeOffset Until { get; set; }
    public DateTimeOffset From { get; set; }
    public DateTimeOffset ComputedAt { get; set; }
    /// <summary>jsonb: ResultFeed[].</summary>
    public required string Feeds { get; set; }
    /// <summary>jsonb: string[], the codes with alarms.</summary>
    public required string Alarmed { get; set; }
}

/// <summary>model_performance: each served method's latest rolling-window performance check and its alarms (issue 32 item 4).</summary>
public sealed class ModelPerformanceRow
{
    public required string Method { get; set; }
    public required string Model { get; set; }
    public DateOnly From { get; set; }
    public DateOnly Until { get; set; }
    public DateTimeOffset ComputedAt { get; set; }
    /// <summary>jsonb: CardMetrics over the window; null when it held too few events to judge.</summary>
    public string? Metrics { get; set; }
    public double CardAuroc { get; set; }
    /// <summary>jsonb: string[].</summary>
    public required string Alarms { get; set; }
}
