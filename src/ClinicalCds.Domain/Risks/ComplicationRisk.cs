using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Outcomes;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Risks;

/// <summary>
/// In-hospital deterioration — ICU transfer, cardiac arrest or death — within 48 hours of a scoring time of a stay in
/// progress (<see cref="ComplicationOutcome"/>). Published basis: NEWS2 (Royal College of Physicians 2017; its
/// clinical-risk bands are the tiers).
/// </summary>
public sealed class ComplicationRisk : RiskDefinition
{
    public override string Name => "complication";

    public override RiskMoment Moment => RiskMoment.DuringStay;

    /// <summary>The standard inputs (<see cref="FeatureCatalog.Standard"/>): the shipped deterioration models were trained on them.</summary>
    public override FeatureSet Inputs => FeatureCatalog.Standard;

    public override TimeSpan Window => ComplicationOutcome.Window;

    public override string Title => "In-hospital deterioration risk";

    public override string Phrase => "risk of deterioration within 48 h";

    public override string Noun => "deterioration";

    public override string OutcomeDisplay => "Clinical deterioration (ICU transfer, cardiac arrest or death) within 48 hours";

    public override string OutcomeDefinition =>
        "Transfer to intensive care, cardiac arrest or death within 48 hours after a scoring time (each vital-sign set) of an inpatient stay, up to the first such event.";

    public override string IntendedUse =>
        "Flag inpatients whose risk of deterioration (ICU transfer, cardiac arrest, death) in the next 48 hours is raised, for earlier review. Decision support for clinicians, not a diagnosis.";

    public override string TopicCode => "deterioration-risk";

    public override string PublishedScoreUrl => "https://www.rcp.ac.uk/improving-care/resources/national-early-warning-score-news-2/";

    public override IReadOnlyList<(string Name, Func<ClinicalFeatures, ScoreResult> Score)> Baselines { get; } =
    [
        ("NEWS2", f => News2.Score(PublishedScores.News2InputOf(f))),
    ];

    public override IReadOnlyList<RecommendedAction> Actions { get; } =
    [
        new("Request a rapid response team review", true, "Rapid response team review"),
        new("Increase observations to hourly", false, "Vital signs observation every hour"),
    ];

    public override string? DefaultIndicator(RiskTier tier) => tier switch
    {
        RiskTier.High => "critical",
        RiskTier.Moderate => "warning",
        _ => null,
    };

    public override IEnumerable<OutcomeExample> Examples(PatientTimeline timeline, DateTimeOffset dataCutoff) =>
        ComplicationOutcome.Examples(timeline, dataCutoff);

    public override OutcomeExample Outcome(PatientTimeline timeline, EncounterFact stay, DateTimeOffset instant, DateTimeOffset dataCutoff) =>
        ComplicationOutcome.Label(timeline, stay, instant, ComplicationOutcome.FirstEvent(timeline, stay), dataCutoff);

    /// <summary>NEWS2's clinical-risk bands are the tiers (RCP 2017, Chart 2): high 7+, medium 5–6 and low-medium (a 3 in one parameter) moderate, low 0–4 low.</summary>
    public override RiskExplanation Published(ClinicalFeatures features)
    {
        var news2 = Reference(features);
        var tier = news2.RiskCategory switch
        {
            "high" => RiskTier.High,
            "medium" or "low-medium" => RiskTier.Moderate,
            _ => RiskTier.Low,
        };
        return ScoreExplanations.FromPublished(
            this, features, news2, tier, $"risk of deterioration: NEWS2 {news2.Total} ({news2.RiskCategory}){(news2.IsComplete ? string.Empty : ", incomplete")}");
    }

    public override ScoreResult Reference(ClinicalFeatures features) => News2.Score(PublishedScores.News2InputOf(features));

    /// <summary>
    /// NEWS2's clinical response thresholds (Royal College of Physicians, NEWS2, 2017, Chart 2 and Table 2): an aggregate
    /// of 7 or more is the emergency response threshold, a score of 3 in any single parameter calls for an urgent
    /// ward-based response — both shown at least in the high tier — and 5–6 is the urgent response threshold, shown at
    /// least in the moderate tier. A model estimating lower never lowers the tier below these.
    /// </summary>
    public override Guardrail? Guardrail(ClinicalFeatures features)
    {
        var news2 = Reference(features);
        if (news2.Total >= 7)
        {
            return new Guardrail(RiskTier.High, $"NEWS2 {news2.Total} — emergency response threshold (RCP 2017)");
        }

        if (news2.Components.FirstOrDefault(c => c.Points == 3) is { } red)
        {
            return new Guardrail(RiskTier.High, $"{red.Name} {red.PatientValue} scores 3 in NEWS2 — urgent response (RCP 2017)");
        }

        return news2.Total >= 5 ? new Guardrail(RiskTier.Moderate, $"NEWS2 {news2.Total} — urgent response threshold (RCP 2017)") : null;
    }

    /// <summary>
    /// A deterioration risk rests on current vital signs: with none charted in the window the features read them from
    /// (<see cref="FeatureBuilder.VitalSignsWindow"/> before the instant) nothing is estimated — not "low", which a
    /// patient nobody has observed cannot be shown as.
    /// </summary>
    public override string? CannotEstimate(ClinicalFeatures features) =>
        Reference(features).NothingRecorded
            ? $"No vital signs were charted in the {FeatureBuilder.VitalSignsWindow.TotalHours:0} h before {features.AsOf:yyyy-MM-dd HH:mm} UTC: record a set of observations (NEWS2) to assess the risk of deterioration"
            : null;

    /// <summary>
    /// A deterioration risk is for patients at risk of a first deterioration: a stay that by the instant (as known then)
    /// had an ICU transfer, a cardiac arrest or resuscitation — or a direct ICU admission — is outside the population
    /// the model was trained on (the training examples stop at the first event, <see cref="ComplicationOutcome"/>).
    /// </summary>
    public override string? OutsidePopulation(PatientTimeline timeline, EncounterFact stay, DateTimeOffset instant)
    {
        var known = timeline.AsOf(instant);
        return known.Encounter(stay.EncounterId) is { } asKnown && ComplicationOutcome.FirstEvent(known, asKnown) is { } first && first.At <= instant
            ? RiskTargets.AfterDeterioration
            : null;
    }
}
