using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Scoring;

/// <summary>The stay a risk is computed for and the instant its features are taken at.</summary>
public sealed record RiskTarget(EncounterFact Stay, DateTimeOffset Instant);

/// <summary>Either the stay to score or why the patient has none for this risk (a skip reason, in words).</summary>
public sealed record TargetChoice(RiskTarget? Target, string? SkipReason);

/// <summary>
/// Which of a patient's stays a risk is about, as of an instant — one rule for the patient-view hook and the nightly
/// population runs. Readmission: the latest inpatient stay, discharged by then and no longer ago than the 30-day
/// outcome window. Deterioration: the inpatient stay in progress, only while the patient is in the model's population —
/// not yet in intensive care and before any deterioration in the stay (the training examples stop at the first one).
/// </summary>
public static class RiskTargets
{
    /// <summary>A readmission risk is shown while its outcome window (30 days after discharge) is still open.</summary>
    public static readonly TimeSpan ReadmissionWindow = TimeSpan.FromDays(30);

    public const string NoInpatientStay = "no inpatient stay";
    public const string StillAdmitted = "still admitted (no discharge yet)";
    public const string DischargeTooLongAgo = "latest discharge more than 30 days ago";
    public const string NotAdmitted = "not admitted";
    public const string AfterDeterioration = "in intensive care or past a deterioration in this stay (outside the model's population)";

    /// <summary>
    /// Why a risk may not be computed for <paramref name="stay"/> at <paramref name="instant"/>, or null when it may. A
    /// deterioration risk is for patients at risk of a first deterioration: a stay that by the instant (as known then)
    /// had an ICU transfer, a cardiac arrest or resuscitation — or a direct ICU admission — is outside the population
    /// the model was trained on (<see cref="Outcomes.ComplicationOutcome"/>).
    /// </summary>
    public static string? OutsidePopulation(RiskKind kind, PatientTimeline timeline, EncounterFact stay, DateTimeOffset instant)
    {
        if (kind != RiskKind.Deterioration)
        {
            return null;
        }

        var known = timeline.AsOf(instant);
        return known.Encounter(stay.EncounterId) is { } asKnown && Outcomes.ComplicationOutcome.FirstEvent(known, asKnown) is { } first && first.At <= instant
            ? AfterDeterioration
            : null;
    }

    public static TargetChoice Choose(RiskKind kind, PatientTimeline timeline, DateTimeOffset asOf)
    {
        var latest = IndexStays.LatestStay(timeline, asOf);
        if (latest is null)
        {
            return new TargetChoice(null, NoInpatientStay);
        }

        var inProgress = latest.End is null || latest.End > asOf;
        return kind switch
        {
            RiskKind.Deterioration when inProgress && OutsidePopulation(kind, timeline, latest, asOf) is { } reason => new TargetChoice(null, reason),
            RiskKind.Deterioration when inProgress => new TargetChoice(new RiskTarget(latest, asOf), null),
            RiskKind.Deterioration => new TargetChoice(null, NotAdmitted),
            _ when inProgress => new TargetChoice(null, StillAdmitted),
            _ when asOf - latest.End > ReadmissionWindow => new TargetChoice(null, DischargeTooLongAgo),
            _ => new TargetChoice(new RiskTarget(latest, latest.End!.Value), null),
        };
    }
}
