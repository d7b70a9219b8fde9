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
/// outcome window. Deterioration: the inpatient stay in progress.
/// </summary>
public static class RiskTargets
{
    /// <summary>A readmission risk is shown while its outcome window (30 days after discharge) is still open.</summary>
    public static readonly TimeSpan ReadmissionWindow = TimeSpan.FromDays(30);

    public const string NoInpatientStay = "no inpatient stay";
    public const string StillAdmitted = "still admitted (no discharge yet)";
    public const string DischargeTooLongAgo = "latest discharge more than 30 days ago";
    public const string NotAdmitted = "not admitted";

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
            RiskKind.Deterioration when inProgress => new TargetChoice(new RiskTarget(latest, asOf), null),
            RiskKind.Deterioration => new TargetChoice(null, NotAdmitted),
            _ when inProgress => new TargetChoice(null, StillAdmitted),
            _ when asOf - latest.End > ReadmissionWindow => new TargetChoice(null, DischargeTooLongAgo),
            _ => new TargetChoice(new RiskTarget(latest, latest.End!.Value), null),
        };
    }
}
