namespace ClinicalCds.Domain.Scores;

/// <summary>One line of a score's breakdown: what the patient had and the points it earned.</summary>
public sealed record ScoreComponent(string Name, string PatientValue, int Points);

/// <summary>
/// A published score with its breakdown, the plain-language basis a clinician can check by hand. <see cref="Missing"/>
/// names the inputs that were not recorded (they earn no points, as the published scores assume a normal value).
/// </summary>
public sealed record ScoreResult(
    string Name,
    string Source,
    int Total,
    string? RiskCategory,
    IReadOnlyList<ScoreComponent> Components,
    IReadOnlyList<string> Missing)
{
    public bool IsComplete => Missing.Count == 0;

    /// <summary>No input of the score was recorded: its total of 0 says nothing, and is never shown as "0 (low)".</summary>
    public bool NothingRecorded => Components.Count > 0 && Missing.Count >= Components.Count;

    /// <summary>The score in one line, "NEWS2 5 (medium)"; "NEWS2 not computed: nothing recorded" when no input was.</summary>
    public string Display => NothingRecorded
        ? $"{Name} not computed: nothing recorded"
        : RiskCategory is { } category ? $"{Name} {Total} ({category})" : $"{Name} {Total}";
}
