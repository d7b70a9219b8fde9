using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Outcomes;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Risks;

/// <summary>
/// Unplanned readmission within 30 days of an inpatient discharge (<see cref="ReadmissionOutcome"/>), judged at the
/// discharge. Published basis: HOSPITAL (Donzé 2013, JAMA Intern Med 173:632; its categories are the tiers) with LACE
/// (van Walraven 2010, CMAJ 182:551) for reference and as a second baseline.
/// </summary>
public class ReadmissionRisk : RiskDefinition
{
    public override string Name => "readmission";

    public override RiskMoment Moment => RiskMoment.AtDischarge;

    /// <summary>The standard inputs (<see cref="FeatureCatalog.Standard"/>): the shipped readmission models were trained on them.</summary>
    public override FeatureSet Inputs => FeatureCatalog.Standard;

    public override TimeSpan Window => TimeSpan.FromDays(30);

    public override string Title => "30-day readmission risk";

    public override string Phrase => "30-day readmission risk";

    public override string Noun => "readmission";

    public override string OutcomeDisplay => "Unplanned inpatient readmission within 30 days of discharge";

    public override string OutcomeDefinition =>
        "Unplanned (emergent or urgent) inpatient admission starting within 30 days after an inpatient discharge; patients who died in hospital have no index discharge; predicted at discharge.";

    public override string IntendedUse =>
        "Flag adult inpatients at discharge whose risk of unplanned readmission within 30 days is raised, for transitional-care follow-up. Decision support for clinicians, not a diagnosis.";

    public override string TopicCode => "readmission-risk";

    public override string PublishedScoreUrl => "https://doi.org/10.1001/jamainternmed.2013.3023";

    public override IReadOnlyList<(string Name, Func<ClinicalFeatures, ScoreResult> Score)> Baselines { get; } =
    [
        ("LACE", f => Lace.Score(PublishedScores.LaceInputOf(f))),
        ("HOSPITAL", f => Hospital.Score(PublishedScores.HospitalInputOf(f))),
    ];

    public override IReadOnlyList<RecommendedAction> Actions { get; } =
    [
        new("Book a follow-up visit within 7 days of discharge", true, "Follow-up visit within 7 days of discharge", TimeSpan.FromDays(7)),
        new("Refer to transitional care management", false, "Referral to transitional care management"),
    ];

    public override string? DefaultIndicator(RiskTier tier) => tier switch
    {
        RiskTier.High => "warning",
        RiskTier.Moderate => "info",
        _ => null,
    };

    public override IEnumerable<OutcomeExample> Examples(PatientTimeline timeline, DateTimeOffset dataCutoff) =>
        ReadmissionOutcome.Examples(timeline, dataCutoff, Window);

    public override OutcomeExample Outcome(PatientTimeline timeline, EncounterFact stay, DateTimeOffset instant, DateTimeOffset dataCutoff) =>
        ReadmissionOutcome.Label(timeline, stay, instant, dataCutoff, Window);

    /// <summary>
    /// HOSPITAL's risk categories are the tiers (Donzé 2013: low 0–4, intermediate 5–6, high ≥ 7); a low HOSPITAL with a
    /// high LACE (≥ 10, van Walraven 2010) is shown moderate, LACE beside it as the second published score.
    /// </summary>
    public override RiskExplanation Published(ClinicalFeatures features)
    {
        var hospital = Reference(features);
        var lace = Lace.Score(PublishedScores.LaceInputOf(features));
        var tier = hospital.RiskCategory switch
        {
            "high" => RiskTier.High,
            "intermediate" => RiskTier.Moderate,
            _ => lace.RiskCategory == "high" ? RiskTier.Moderate : RiskTier.Low,
        };
        return ScoreExplanations.FromPublished(this, features, hospital, tier, $"{Phrase}: HOSPITAL score {hospital.Total} ({hospital.RiskCategory}), LACE {lace.Total}", lace);
    }

    public override ScoreResult Reference(ClinicalFeatures features) => Hospital.Score(PublishedScores.HospitalInputOf(features));
}
