using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ClinicalCds.Infrastructure.Persistence;

/// <summary>The schema of the FHIR store and its clinical projections (snake_case, timestamptz, jsonb).</summary>
public sealed class ClinicalCdsDbContext(DbContextOptions<ClinicalCdsDbContext> options) : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public const string MigrationsAssembly = "ClinicalCds.Migrations";

    public DbSet<FhirResourceRow> FhirResources => Set<FhirResourceRow>();
    public DbSet<PatientRow> Patients => Set<PatientRow>();
    public DbSet<EncounterRow> Encounters => Set<EncounterRow>();
    public DbSet<ConditionRow> Conditions => Set<ConditionRow>();
    public DbSet<ObservationRow> Observations => Set<ObservationRow>();
    public DbSet<ProcedureRow> Procedures => Set<ProcedureRow>();
    public DbSet<MedicationRequestRow> MedicationRequests => Set<MedicationRequestRow>();
    public DbSet<CdsCardRow> CdsCards => Set<CdsCardRow>();
    public DbSet<CdsFeedbackRow> CdsFeedback => Set<CdsFeedbackRow>();
    public DbSet<CdsAuditRow> CdsAudit => Set<CdsAuditRow>();
    public DbSet<CdsTokenUseRow> CdsTokenUses => Set<CdsTokenUseRow>();
    public DbSet<ScoreRunRow> ScoreRuns => Set<ScoreRunRow>();
    public DbSet<ScoreRunChunkRow> ScoreRunChunks => Set<ScoreRunChunkRow>();
    public DbSet<RiskScoreRow> RiskScores => Set<RiskScoreRow>();
    public DbSet<LatestRiskScoreRow> LatestRiskScores => Set<LatestRiskScoreRow>();
    public DbSet<PatientReviewRow> PatientReviews => Set<PatientReviewRow>();
    public DbSet<PatientReviewEventRow> PatientReviewEvents => Set<PatientReviewEventRow>();
    public DbSet<WorklistAuditRow> WorklistAudit => Set<WorklistAuditRow>();
    public DbSet<ModelMonitoringRow> ModelMonitoring => Set<ModelMonitoringRow>();

    public DbSet<ModelPerformanceRow> ModelPerformance => Set<ModelPerformanceRow>();
    public DbSet<ModelDriftRow> ModelDrift => Set<ModelDriftRow>();

    public DbSet<ResultFeedCheckRow> ResultFeedChecks => Set<ResultFeedCheckRow>();
    public DbSet<ShadowScoreRow> ShadowScores => Set<ShadowScoreRow>();
    public DbSet<HookScoreRow> HookScores => Set<HookScoreRow>();
    public DbSet<ModelServingChangeRow> ModelServingChanges => Set<ModelServingChangeRow>();

    /// <summary>The keys that protect sign-in cookies and antiforgery tokens, shared by every API replica.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys { get; set; } = null!;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // ASP.NET Core Identity: users, roles, lockout state (snake_case like the rest).
        base.OnModelCreating(modelBuilder);

        modelBuilder.Entity<FhirResourceRow>(e =>
        {
            e.ToTable("fhir_resources");
            e.HasKey(r => new { r.ResourceType, r.Id, r.VersionId });
            e.Property(r => r.Content).HasColumnType("jsonb");
            // At most one current version per resource.
            e.HasIndex(r => new { r.ResourceType, r.Id }).IsUnique().HasFilter("is_current").HasDatabaseName("ux_fhir_resources_current");
            // A patient's current resources of a type (search, prefetch, per-patient reads).
            e.HasIndex(r => new { r.PatientId, r.ResourceType }).HasFilter("is_current AND patient_id IS NOT NULL").HasDatabaseName("ix_fhir_resources_patient_type");
        });

        modelBuilder.Entity<InitialLoadIndexRow>(e =>
        {
            e.ToTable("fhir_initial_load");
            e.HasKey(r => r.Ordinal);
            e.Property(r => r.Ordinal).ValueGeneratedNever();
        });

        modelBuilder.Entity<PatientRow>(e =>
        {
            e.ToTable("patients");
            e.HasKey(r => r.PatientId);
        });

        // The projections hold the current version of each resource. Each is indexed on (patient, time) so that
        // "all facts of patients P1..Pn before T" is one index range scan per table.
        modelBuilder.Entity<EncounterRow>(e =>
        {
            e.ToTable("encounters");
            e.HasKey(r => r.EncounterId);
            e.Property(r => r.Locations).HasColumnType("jsonb");
            e.HasIndex(r => new { r.PatientId, r.PeriodStart });
        });

        modelBuilder.Entity<ConditionRow>(e =>
        {
            e.ToTable("conditions");
            e.HasKey(r => new { r.ConditionId, r.Seq });
            e.HasIndex(r => new { r.PatientId, r.Recorded });
        });

        modelBuilder.Entity<ObservationRow>(e =>
        {
            e.ToTable("observations");
            e.HasKey(r => new { r.ObservationId, r.Seq });
            // Patient-leading, so it serves both "all of a patient's observations" and "a patient's sodium values".
            e.HasIndex(r => new { r.PatientId, r.Code, r.Effective });
        });

        modelBuilder.Entity<ProcedureRow>(e =>
        {
            e.ToTable("procedures");
            e.HasKey(r => r.ProcedureId);
            e.HasIndex(r => new { r.PatientId, r.PerformedStart });
        });

        modelBuilder.Entity<MedicationRequestRow>(e =>
        {
            e.ToTable("medication_requests");
            e.HasKey(r => r.MedicationRequestId);
            e.HasIndex(r => new { r.PatientId, r.AuthoredOn });
        });
    
        modelBuilder.Entity<CdsCardRow>(e =>
        {
            e.ToTable("cds_cards");
            e.HasKey(r => r.Uuid);
            e.HasIndex(r => new { r.PatientId, r.IssuedAt });
            // Cards issued before offers were recorded offered nothing we can check against.
            e.Property(r => r.SuggestionIds).HasDefaultValueSql("'{}'");
            e.Property(r => r.OverrideReasons).HasDefaultValueSql("'{}'");
        });

        modelBuilder.Entity<CdsFeedbackRow>(e =>
        {
            e.ToTable("cds_feedback");
            e.HasKey(r => r.Id);
            e.Property(r => r.Content).HasColumnType("jsonb");
            e.HasIndex(r => r.ContentHash).IsUnique();
            e.HasIndex(r => r.CardUuid);
        });

        modelBuilder.Entity<CdsAuditRow>(e =>
        {
            e.ToTable("cds_audit");
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.At);
            e.HasIndex(r => new { r.PatientId, r.At });
        });

        modelBuilder.Entity<CdsTokenUseRow>(e =>
        {
            e.ToTable("cds_token_uses");
            e.HasKey(r => new { r.Issuer, r.Jti });
            e.HasIndex(r => r.ExpiresAt);
        });

        modelBuilder.Entity<ScoreRunRow>(e =>
        {
            e.ToTable("score_runs");
            e.HasKey(r => r.RunId);
            e.Property(r => r.RunId).UseIdentityAlwaysColumn();
            e.Property(r => r.SkipReasons).HasColumnType("jsonb");
            e.HasIndex(r => r.RequestKey).IsUnique();
            e.HasIndex(r => new { r.Cohort, r.Model, r.CreatedAt });
        });

        modelBuilder.Entity<ScoreRunChunkRow>(e =>
        {
            e.ToTable("score_run_chunks");
            e.HasKey(r => new { r.RunId, r.ChunkNo });
            e.HasOne<ScoreRunRow>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<RiskScoreRow>(e =>
        {
            e.ToTable("risk_scores");
            // The upsert key: a retried chunk overwrites its rows instead of adding to them.
            e.HasKey(r => new { r.RunId, r.PatientId, r.Model });
            e.Property(r => r.TopFactors).HasColumnType("jsonb");
            e.Property(r => r.Inputs).HasColumnType("jsonb");
            e.HasIndex(r => new { r.PatientId, r.Model, r.AsOf });
            e.HasOne<ScoreRunRow>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ModelMonitoringRow>(e =>
        {
            e.ToTable("model_monitoring");
            e.HasKey(r => new { r.Method, r.Month });
            e.Property(r => r.Metrics).HasColumnType("jsonb");
            e.Property(r => r.Subgroups).HasColumnType("jsonb");
            e.Property(r => r.Comparisons).HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
            e.HasIndex(r => new { r.Model, r.Month });
        });

        modelBuilder.Entity<ShadowScoreRow>(e =>
        {
            e.ToTable("shadow_scores");
            e.HasKey(r => r.Id);
            e.Property(r => r.Inputs).HasColumnType("jsonb");
            // A chunk scored again (a retried job) replaces its candidate rows; hook rows have no run.
            e.HasIndex(r => new { r.RunId, r.PatientId, r.Model }).IsUnique();
            e.HasIndex(r => new { r.Model, r.Method, r.FeaturesAsOf });
        });

        modelBuilder.Entity<HookScoreRow>(e =>
        {
            e.ToTable("hook_scores");
            e.HasKey(r => r.Id);
            e.Property(r => r.Inputs).HasColumnType("jsonb");
            e.HasIndex(r => new { r.Method, r.PatientId, r.EncounterId, r.FeaturesAsOf }).IsUnique();
            e.HasIndex(r => new { r.Model, r.FeaturesAsOf });
        });

        modelBuilder.Entity<ModelServingChangeRow>(e =>
        {
            e.ToTable("model_serving_changes");
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.Model, r.At });
        });

        modelBuilder.Entity<ModelPerformanceRow>(e =>
        {
            e.ToTable("model_performance");
            e.HasKey(r => r.Method);
            e.Property(r => r.Metrics).HasColumnType("jsonb");
            e.Property(r => r.Alarms).HasColumnType("jsonb");
        });

        modelBuilder.Entity<ModelDriftRow>(e =>
        {
            e.ToTable("model_drift");
            e.HasKey(r => new { r.Method, r.Until });
            e.Property(r => r.Features).HasColumnType("jsonb");
        });

        modelBuilder.Entity<ResultFeedCheckRow>(e =>
        {
            e.ToTable("result_feed_checks");
            e.HasKey(r => r.Until);
            e.Property(r => r.Feeds).HasColumnType("jsonb");
            e.Property(r => r.Alarmed).HasColumnType("jsonb");
        });

        modelBuilder.Entity<LatestRiskScoreRow>(e =>
        {
            e.ToTable("latest_risk_scores");
            e.HasKey(r => new { r.PatientId, r.Model });
            // The worklist's order: highest risk first within a model.
            e.HasIndex(r => new { r.Model, r.TierRank, r.Probability }).IsDescending(false, true, true);
            e.HasIndex(r => new { r.Model, r.Discharge });
            e.HasIndex(r => new { r.Model, r.Service });
        });

        modelBuilder.Entity<PatientReviewRow>(e =>
        {
            e.ToTable("patient_reviews");
            e.HasKey(r => new { r.PatientId, r.Model });
            e.HasIndex(r => r.Assignee);
        });

        modelBuilder.Entity<PatientReviewEventRow>(e =>
        {
            e.ToTable("patient_review_events");
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.PatientId, r.At });
        });

        modelBuilder.Entity<WorklistAuditRow>(e =>
        {
            e.ToTable("worklist_audit");
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.At);
            e.HasIndex(r => new { r.PatientId, r.At });
        });
    }
}
