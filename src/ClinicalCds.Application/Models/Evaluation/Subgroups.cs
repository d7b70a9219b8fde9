namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>The subgroups every evaluation reports (training's test split, external evaluation, monitoring): one naming.</summary>
public static class Subgroups
{
    /// <summary>"female", "male" or "sex unknown" (FHIR administrative gender; other values are reported as unknown).</summary>
    public static string Sex(string? gender) => gender switch { "female" => "female", "male" => "male", _ => "sex unknown" };

    /// <summary>The age band: &lt; 45, 45-64, 65-79, &gt;= 80, or unknown.</summary>
    public static string AgeBand(double? years) =>
        years switch { null => "age unknown", < 45 => "age < 45", < 65 => "age 45-64", < 80 => "age 65-79", _ => "age >= 80" };
}
