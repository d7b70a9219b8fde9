namespace ClinicalCds.Domain.Clinical;

/// <summary>LOINC codes the product reads, with the common variants laboratories report.</summary>
public static class Loinc
{
    public const string HemoglobinMassBlood = "718-7";
    public const string HemoglobinMassBloodCalculated = "20509-6";
    public const string HemoglobinMassArterialBlood = "30313-1";
    public const string HemoglobinMassVenousBlood = "30350-3";
    public const string SodiumSerumPlasma = "2951-2";
    public const string SodiumBlood = "2947-0";
    public const string PotassiumSerumPlasma = "2823-3";
    public const string PotassiumBlood = "6298-4";
    public const string CreatinineSerumPlasma = "2160-0";
    public const string CreatinineBlood = "38483-4";
    public const string CreatinineMolesSerumPlasma = "14682-9";
    public const string LeukocytesBlood = "6690-2";
    public const string LeukocytesBloodManualCount = "26464-8";
    public const string AlbuminSerumPlasma = "1751-7";

    public const string RespiratoryRate = "9279-1";
    public const string HeartRate = "8867-4";
    public const string SystolicBloodPressure = "8480-6";
    public const string DiastolicBloodPressure = "8462-4";
    public const string BloodPressurePanel = "85354-9";
    public const string BodyTemperature = "8310-5";
    public const string OxygenSaturationPulseOximetry = "59408-5";
    public const string OxygenSaturationArterial = "2708-6";
    /// <summary>Level of consciousness (ACVPU); coded answer.</summary>
    public const string LevelOfConsciousness = "67775-7";
    /// <summary>Inhaled oxygen flow rate; any value above zero means supplemental oxygen.</summary>
    public const string InhaledOxygenFlowRate = "3151-8";
    /// <summary>Inhaled oxygen concentration (FiO2); above room air's 21 % means supplemental oxygen.</summary>
    public const string InhaledOxygenConcentration = "3150-0";

    // Blood-gas co-oximetry (arterial 30313-1, venous 30350-3) and arterial SaO2 (2708-6) are other methods than the
    // laboratory hemoglobin HOSPITAL was derived on and the pulse oximetry NEWS2 scores; they are not pooled (ADR 0005).
    public static readonly IReadOnlyList<string> Hemoglobin = [HemoglobinMassBlood, HemoglobinMassBloodCalculated];
    public static readonly IReadOnlyList<string> Sodium = [SodiumSerumPlasma, SodiumBlood];
    public static readonly IReadOnlyList<string> Potassium = [PotassiumSerumPlasma, PotassiumBlood];
    public static readonly IReadOnlyList<string> Creatinine = [CreatinineSerumPlasma, CreatinineBlood, CreatinineMolesSerumPlasma];
    public static readonly IReadOnlyList<string> Leukocytes = [LeukocytesBlood, LeukocytesBloodManualCount];
    public static readonly IReadOnlyList<string> Albumin = [AlbuminSerumPlasma];
    public static readonly IReadOnlyList<string> OxygenSaturation = [OxygenSaturationPulseOximetry];

    /// <summary>The parameters of a NEWS2 observation set (oxygen by flow or FiO2).</summary>
    public static readonly IReadOnlyList<string> News2Parameters =
    [
        RespiratoryRate, OxygenSaturationPulseOximetry, SystolicBloodPressure, HeartRate, BodyTemperature, LevelOfConsciousness,
        InhaledOxygenFlowRate, InhaledOxygenConcentration,
    ];
}
