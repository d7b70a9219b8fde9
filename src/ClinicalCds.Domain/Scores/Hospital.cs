using System.Globalization;

namespace ClinicalCds.Domain.Scores;

/// <summary>What the HOSPITAL score reads at discharge; a lab not measured is null.</summary>
public sealed record HospitalInput(
    double? DischargeHemoglobinGdl,
    bool DischargeFromOncology,
    double? DischargeSodiumMmolL,
    bool ProcedureDuringStay,
    bool EmergentAdmission,
    int AdmissionsPrior12Months,
    int LengthOfStayDays);

/// <summary>
/// HOSPITAL score for 30-day potentially avoidable readmission: Donzé J et al., JAMA Intern Med 2013;173(8):632-8;
/// international validation JAMA Intern Med 2016;176(4):496-502. Score 0–13; low 0–4, intermediate 5–6, high ≥7.
/// A lab that was not measured earns no points and is reported as missing.
/// </summary>
public static class Hospital
{
    /// <summary>H: haemoglobin at discharge &lt; 12 g/dL → 1.</summary>
    public static int HemoglobinPoints(double? gdl) => gdl < 12.0 ? 1 : 0;

    /// <summary>O: discharge from an oncology service → 2.</summary>
    public static int OncologyPoints(bool oncology) => oncology ? 2 : 0;

    /// <summary>S: sodium at discharge &lt; 135 mmol/L → 1.</summary>
    public static int SodiumPoints(double? mmolL) => mmolL < 135.0 ? 1 : 0;

    /// <summary>P: any coded procedure during the stay → 1.</summary>
    public static int ProcedurePoints(bool any) => any ? 1 : 0;

    /// <summary>IT: index admission urgent or emergent → 1.</summary>
    public static int AdmissionTypePoints(bool emergent) => emergent ? 1 : 0;

    /// <summary>A: hospital admissions in the previous 12 months 0–1 → 0, 2–5 → 2, &gt;5 → 5.</summary>
    public static int AdmissionsPoints(int admissions) => admissions switch
    {
        <= 1 => 0,
        <= 5 => 2,
        _ => 5,
    };

    /// <summary>L: length of stay ≥ 5 days → 2.</summary>
    public static int LengthOfStayPoints(int days) => days >= 5 ? 2 : 0;

    public static string RiskCategory(int total) => total switch
    {
        <= 4 => "low",
        <= 6 => "intermediate",
        _ => "high",
    };

    public static ScoreResult Score(HospitalInput input)
    {
        static string Lab(double? value, string unit) =>
            value is { } v ? $"{v.ToString("0.0#", CultureInfo.InvariantCulture)} {unit}" : "not measured";

        ScoreComponent[] components =
        [
            new("Hemoglobin at discharge < 12 g/dL", Lab(input.DischargeHemoglobinGdl, "g/dL"), HemoglobinPoints(input.DischargeHemoglobinGdl)),
            new("Discharge from an oncology service", input.DischargeFromOncology ? "yes" : "no", OncologyPoints(input.DischargeFromOncology)),
            new("Sodium at discharge < 135 mmol/L", Lab(input.DischargeSodiumMmolL, "mmol/L"), SodiumPoints(input.DischargeSodiumMmolL)),
            new("Procedure during the stay", input.ProcedureDuringStay ? "yes" : "no", ProcedurePoints(input.ProcedureDuringStay)),
            new("Index admission urgent or emergent", input.EmergentAdmission ? "yes" : "no", AdmissionTypePoints(input.EmergentAdmission)),
            new("Hospital admissions in the previous 12 months", input.AdmissionsPrior12Months.ToString(CultureInfo.InvariantCulture), AdmissionsPoints(input.AdmissionsPrior12Months)),
            new("Length of stay ≥ 5 days", Explanations.FactorWording.Count(input.LengthOfStayDays, "day"), LengthOfStayPoints(input.LengthOfStayDays)),
        ];
        var missing = new List<string>();
        if (input.DischargeHemoglobinGdl is null)
        {
            missing.Add("haemoglobin");
        }

        if (input.DischargeSodiumMmolL is null)
        {
            missing.Add("sodium");
        }

        var total = components.Sum(c => c.Points);
        return new ScoreResult("HOSPITAL", "Donzé et al., JAMA Intern Med 2013;173(8):632-8", total, RiskCategory(total), components, missing);
    }
}
