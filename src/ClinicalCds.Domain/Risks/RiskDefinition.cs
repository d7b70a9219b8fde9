using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Risks;

/// <summary>When a risk is judged, which decides the stay it is about (<see cref="RiskDefinition.Choose"/>).</summary>
public enum RiskMoment
{
    /// <summary>At an inpatient discharge, while the outcome window after it is open.</summary>
    AtDischarge,

    /// <summary>During an inpatient stay in progress, now.</summary>
    DuringStay,
}

/// <summary>One training example of a risk: a stay, the instant features are taken at, and the label after it (null: not known yet).</summary>
public sealed record OutcomeExample(string PatientId, EncounterFact Stay, DateTimeOffset Instant, bool? Label, string? Event, DateTimeOffset? EventAt = null);

/// <summary>
/// An action a card may propose when the risk is raised, coded as text for the EHR to map (a ServiceRequest proposal).
/// <see cref="Within"/>, when set, is the window after the instant (the discharge) in which it should happen.
/// </summary>
public sealed record RecommendedAction(string Label, bool Recommended, string RequestText, TimeSpan? Within = null);

/// <summary>
/// A risk model's one definition: its name (the folder under models/, the cohorts' and the stored scores' spelling),
/// its outcome rule and window, who may be scored and when (<see cref="Choose"/>, <see cref="OutsidePopulation"/>), its
/// own model inputs (<see cref="Inputs"/>), its published score — the fallback, the checkable reference and the alarm
/// that floors the tier — its baselines, its wording and the card's defaults. Everything else — hooks, nightly runs,
/// training, the worklist, FHIR RiskAssessments, loading a model — asks it. A new risk is a subclass of this class with
/// its outcome rule, an entry in the host's <see cref="RiskCatalog"/> and configuration (cohorts, hook services).
/// </summary>
public abstract class RiskDefinition
{
    /// <summary>Lower-case letters and digits only: it is a folder name and a part of RiskAssessment ids.</summary>
    public abstract string Name { get; }

    public abstract RiskMoment Moment { get; }

    /// <summary>
    /// The model's inputs, in input order and versioned: what training vectorizes, what a model of this risk must have
    /// been trained on to be loaded, what hooks and runs feed it. Each risk owns its list, so a new input for one risk
    /// refuses no other risk's model.
    /// </summary>
    public abstract FeatureSet Inputs { get; }

    /// <summary>How long after the instant the outcome is looked for.</summary>
    public abstract TimeSpan Window { get; }

    /// <summary>The risk as a heading: "30-day readmission risk".</summary>
    public abstract string Title { get; }

    /// <summary>The risk inside a sentence: "30-day readmission risk", "risk of deterioration within 48 h".</summary>
    public abstract string Phrase { get; }

    /// <summary>The risk's outcome in one word, for reasons ("readmission: still admitted").</summary>
    public abstract string Noun { get; }

    /// <summary>The predicted outcome as the RiskAssessment names it.</summary>
    public abstract string OutcomeDisplay { get; }

    /// <summary>The outcome as the model card defines it.</summary>
    public abstract string OutcomeDefinition { get; }

    /// <summary>The model card's intended use.</summary>
    public abstract string IntendedUse { get; }

    /// <summary>The CDS card's topic code and the paper of the published score it falls back to.</summary>
    public abstract string TopicCode { get; }

    public abstract string PublishedScoreUrl { get; }

    /// <summary>The published scores a trained model is evaluated beside, by name, each computed from the same features.</summary>
    public abstract IReadOnlyList<(string Name, Func<ClinicalFeatures, ScoreResult> Score)> Baselines { get; }

    /// <summary>What a card proposes when the risk is moderate or high.</summary>
    public abstract IReadOnlyList<RecommendedAction> Actions { get; }

    /// <summary>The card indicator of a tier unless configured otherwise (CdsHooks:Indicators); null shows no card.</summary>
    public abstract string? DefaultIndicator(RiskTier tier);

    /// <summary>Every labelled example of the patient up to <paramref name="dataCutoff"/> (the training rows).</summary>
    public abstract IEnumerable<OutcomeExample> Examples(PatientTimeline timeline, DateTimeOffset dataCutoff);

    /// <summary>
    /// What followed one served target — <paramref name="stay"/> scored at <paramref name="instant"/> — by the same rule
    /// that labels <see cref="Examples"/>; the label is null while the window reaches past <paramref name="dataCutoff"/>.
    /// </summary>
    public abstract OutcomeExample Outcome(PatientTimeline timeline, EncounterFact stay, DateTimeOffset instant, DateTimeOffset dataCutoff);

    /// <summary>The risk explained by its published score, while no model that can explain itself is loaded.</summary>
    public abstract RiskExplanation Published(ClinicalFeatures features);

    /// <summary>The published score shown beside a model's estimate as the checkable reference.</summary>
    public abstract ScoreResult Reference(ClinicalFeatures features);

    /// <summary>
    /// The published score's own alarm for these features, or null when it raises none: the tier shown is never below it
    /// (<see cref="Risks.Guardrail"/>). A risk whose published score has no alarm thresholds has none.
    /// </summary>
    public virtual Guardrail? Guardrail(ClinicalFeatures features) => null;

    /// <summary>
    /// Why nothing can be estimated from these features at all — the facts the risk rests on were not recorded — or null
    /// when an estimate can be made. Such a risk is shown as "insufficient data", never as a tier.
    /// </summary>
    public virtual string? CannotEstimate(ClinicalFeatures features) => null;

    /// <summary>Why the risk may not be computed for <paramref name="stay"/> at <paramref name="instant"/>, or null when it may.</summary>
    public virtual string? OutsidePopulation(PatientTimeline timeline, EncounterFact stay, DateTimeOffset instant) => null;

    /// <summary>
    /// The stay a risk is about as of an instant, or why there is none — one rule for the patient-view hook and the
    /// nightly runs. At discharge: the latest inpatient stay, discharged by then and no longer ago than the outcome
    /// window. During a stay: the inpatient stay in progress, while the patient is in the model's population.
    /// </summary>
    public TargetChoice Choose(PatientTimeline timeline, DateTimeOffset asOf)
    {
        var latest = IndexStays.LatestStay(timeline, asOf);
        if (latest is null)
        {
            return new TargetChoice(null, RiskTargets.NoInpatientStay);
        }

        var inProgress = latest.End is null || latest.End > asOf;
        if (Dead(timeline, latest, asOf))
        {
            return new TargetChoice(null, RiskTargets.Deceased);
        }

        return Moment switch
        {
            RiskMoment.DuringStay when inProgress && OutsidePopulation(timeline, latest, asOf) is { } reason => new TargetChoice(null, reason),
            RiskMoment.DuringStay when inProgress => new TargetChoice(new RiskTarget(latest, asOf), null),
            RiskMoment.DuringStay => new TargetChoice(null, RiskTargets.NotAdmitted),
            _ when inProgress => new TargetChoice(null, RiskTargets.StillAdmitted),
            _ when asOf - latest.End > Window => new TargetChoice(null, RiskTargets.DischargeTooLongAgo(Window)),
            _ => new TargetChoice(new RiskTarget(latest, latest.End!.Value), null),
        };
    }

    /// <summary>
    /// The stay a hook names (encounter-start, encounter-discharge), judged by the same rules as <see cref="Choose"/>: no
    /// risk for a patient who has died by the instant, and only inside the model's population. A stay that has ended
    /// is judged at its discharge; one still open at <paramref name="asOf"/> now (an encounter-discharge call for it is
    /// the discharge being made, its disposition not yet known).
    /// </summary>
    public TargetChoice ChooseStay(PatientTimeline timeline, EncounterFact stay, DateTimeOffset asOf)
    {
        if (Dead(timeline, stay, asOf))
        {
            return new TargetChoice(null, RiskTargets.Deceased);
        }

        var instant = IndexStays.InstantFor(stay, asOf);
        return OutsidePopulation(timeline, stay, instant) is { } reason
            ? new TargetChoice(null, reason)
            : new TargetChoice(new RiskTarget(stay, instant), null);
    }

    /// <summary>No risk for a patient who has died by the instant: in the stay, once it has ended, or since.</summary>
    private static bool Dead(PatientTimeline timeline, EncounterFact stay, DateTimeOffset asOf) =>
        (stay.End is { } end && end <= asOf && IndexStays.DiedIn(timeline, stay)) || timeline.Patient?.DeceasedAt <= asOf;

    public override string ToString() => Name;
}
