using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Scoring;

/// <summary>The stay a risk is computed for and the instant its features are taken at.</summary>
public sealed record RiskTarget(EncounterFact Stay, DateTimeOffset Instant);

/// <summary>Either the stay to score or why the patient has none for this risk (a skip reason, in words).</summary>
public sealed record TargetChoice(RiskTarget? Target, string? SkipReason);

/// <summary>
/// Why a patient has no stay to score, in the words runs store and hooks audit. Which stay a risk is about is decided
/// by its definition (<see cref="Risks.RiskDefinition.Choose"/>).
/// </summary>
public static class RiskTargets
{
    public const string NoInpatientStay = "no inpatient stay";
    public const string StillAdmitted = "still admitted (no discharge yet)";
    public const string NotAdmitted = "not admitted";
    public const string Deceased = "deceased";
    public const string AfterDeterioration = "in intensive care or past a deterioration in this stay (outside the model's population)";

    /// <summary>"latest discharge more than 30 days ago": a risk at discharge is shown while its outcome window is open.</summary>
    public static string DischargeTooLongAgo(TimeSpan window) =>
        window.TotalDays >= 1 && window.TotalDays == Math.Floor(window.TotalDays)
            ? $"latest discharge more than {window.TotalDays:0} days ago"
            : $"latest discharge more than {window.TotalHours:0} hours ago";
}
