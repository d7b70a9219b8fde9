namespace ClinicalCds.Synthetic;

/// <summary>
/// How often the synthetic wards chart each vital sign in a round of observations, and how often a day's laboratory
/// work includes each panel: real records are incomplete, and a model trained on complete records learns nothing about
/// what to do without a value (docs/synthetic-population.md, "What is not recorded"). Values are drawn whether or not
/// they are charted, so the ground truth depends on the patient, never on the charting.
/// These rates are our assumptions, not measurements: respiratory rate is the vital sign most often left out
/// (Cretikos MA et al., "Respiratory rate: the neglected vital sign", Med J Aust 2008;188(11):657-9), level of
/// consciousness and inspired oxygen are often undocumented on wards, and albumin is not part of the daily blood count
/// and metabolic panel. A hospital sees its own rates in its data (`missingShare` in its model card).
/// </summary>
internal static class Charting
{
    public const double RespiratoryRate = 0.92;
    public const double OxygenSaturation = 0.96;
    public const double BloodPressure = 0.97;
    public const double HeartRate = 0.98;
    public const double Temperature = 0.90;
    public const double Consciousness = 0.85;

    /// <summary>Oxygen flow documented (0 L/min on air): three rounds in four.</summary>
    public const double Oxygen = 0.75;

    /// <summary>Blood count (hemoglobin, white cells) in a day's laboratory work.</summary>
    public const double BloodCount = 0.80;

    /// <summary>Basic metabolic panel (sodium, potassium, creatinine) in a day's laboratory work.</summary>
    public const double MetabolicPanel = 0.85;

    /// <summary>Albumin in a day's laboratory work.</summary>
    public const double Albumin = 0.35;
}
