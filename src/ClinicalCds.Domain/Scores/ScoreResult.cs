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
}
