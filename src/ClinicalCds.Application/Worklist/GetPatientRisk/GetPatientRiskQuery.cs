using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Scores;
using Mediator;

namespace ClinicalCds.Application.Worklist.GetPatientRisk;

/// <summary>
/// A patient's risk page: stored scores and reviews, the published scores' breakdowns recomputed through the one feature
/// path, and — while the model that made a stored score still serves — what that score did not know, recomputed through
/// the one scoring path (the same words as the CDS card).
/// </summary>
public sealed record GetPatientRiskQuery(string PatientId, string UserName, string Channel = "view-patient") : IQuery<PatientRiskView?>;

public sealed record PatientRiskView(
    PatientRiskRecord Record, IReadOnlyDictionary<string, IReadOnlyList<ScoreResult>> PublishedScores, IReadOnlyDictionary<string, NotRecordedView> NotRecorded)
{
    /// <summary>The accounts the patient can be assigned to (the page's picker).</summary>
    public IReadOnlyList<string> Assignable { get; init; } = [];

    /// <summary>The CDS cards shown for this patient (newest first) and what clinicians did with them; reasons in words.</summary>
    public IReadOnlyList<PatientCardFeedback> CardFeedback { get; init; } = [];

    /// <summary>The instant the chart below is read at: the latest score's, else now.</summary>
    public DateTimeOffset ChartAsOf { get; init; }

    /// <summary>Active problems known at <see cref="ChartAsOf"/> (<see cref="ChartSummary"/>).</summary>
    public IReadOnlyList<ProblemEntry> ActiveProblems { get; init; } = [];

    /// <summary>Current medication orders at <see cref="ChartAsOf"/>.</summary>
    public IReadOnlyList<MedicationEntry> CurrentMedications { get; init; } = [];
}

/// <summary>What a model's score did not know, worded as on its CDS card, and whether that left too little to estimate from.</summary>
public sealed record NotRecordedView(string Sentence, IReadOnlyList<string> Inputs, bool InsufficientData);

public sealed class GetPatientRiskHandler(
    IWorklistStore store, IPatientTimelineReader timelines, IRiskModels models, RiskCatalog risks, IFeedbackAnalytics feedback, TimeProvider clock)
    : IQueryHandler<GetPatientRiskQuery, PatientRiskView?>
{
    public async ValueTask<PatientRiskView?> Handle(GetPatientRiskQuery query, CancellationToken cancellationToken)
    {
        var record = await store.PatientAsync(query.PatientId, cancellationToken);
        await store.AuditAsync(query.UserName, query.PatientId, query.Channel, record is null ? "not found" : null, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var breakdowns = new Dictionary<string, IReadOnlyList<ScoreResult>>(StringComparer.Ordinal);
        var notRecorded = new Dictionary<string, NotRecordedView>(StringComparer.Ordinal);
        var chartAsOf = record.Latest.Count > 0 ? record.Latest.Max(l => l.AsOf) : clock.GetUtcNow();
        var timeline = await timelines.ReadAsync([query.PatientId], cancellationToken).FirstOrDefaultAsync(cancellationToken);
        if (timeline is not null)
        {
            foreach (var latest in record.Latest)
            {
                // The breakdown at the very instant and stay the stored score was computed for.
                if (FeatureBuilder.Build(timeline, latest.EncounterId, latest.FeaturesAsOf) is { } features && risks.Find(latest.Model) is { } definition)
                {
                    // The risk's own published scores only: LACE and HOSPITAL are discharge scores, meaningless for a
                    // stay in progress; NEWS2 is the deterioration model's.
                    breakdowns[latest.Model] = [.. definition.Baselines.Select(b => b.Score(features))];
                    if (RiskEngine.Score(definition, timeline, new RiskTarget(timeline.Encounter(latest.EncounterId)!, latest.FeaturesAsOf), models) is
                            { Explanation: { NotRecorded: { } sentence } explained }
                        && explained.SourceLabel == latest.Method)
                    {
                        notRecorded[latest.Model] = new NotRecordedView(sentence, explained.NotRecordedInputs, explained.InsufficientData);
                    }
                }
            }
        }

        var cards = await feedback.PatientFeedbackAsync(query.PatientId, 20, cancellationToken);
        return new PatientRiskView(record, breakdowns, notRecorded)
        {
            ChartAsOf = chartAsOf,
            ActiveProblems = timeline is null ? [] : ChartSummary.ActiveProblems(timeline, chartAsOf),
            CurrentMedications = timeline is null ? [] : ChartSummary.CurrentMedications(timeline, chartAsOf),
            Assignable = await store.AssignableUsersAsync(cancellationToken),
            CardFeedback = [.. cards.Select(c => c with
            {
                OverrideReason = c.OverrideReason is { } reason ? CdsHooks.GetFeedbackAnalytics.GetFeedbackAnalyticsHandler.ReasonText(reason) : null,
            })],
        };
    }
}
