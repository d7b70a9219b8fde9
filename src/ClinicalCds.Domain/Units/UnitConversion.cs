using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Units;

/// <summary>A value converted to the canonical UCUM unit of its LOINC code.</summary>
public readonly record struct CanonicalQuantity(double Value, string Unit);

/// <summary>
/// Converts laboratory values and vital signs to one canonical UCUM unit per LOINC code, so that a hospital reporting
/// creatinine in µmol/L and one reporting mg/dL give the same feature. Factors are the usual molar masses:
/// creatinine 113.12 g/mol (1 mg/dL = 88.42 µmol/L), hemoglobin as the tetramer-free monomer convention used by
/// laboratories reporting mmol/L (1 mmol/L = 1.611 g/dL); sodium and potassium are monovalent, so mEq/L = mmol/L.
/// </summary>
public static class UnitConversion
{
    private sealed record Rule(string CanonicalUnit, IReadOnlyDictionary<string, Func<double, double>> FromUnit);

    private static readonly Func<double, double> Same = v => v;

    private static readonly Rule GramsPerDeciliter = new("g/dL", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["g/dL"] = Same,
        ["g/L"] = v => v / 10.0,
        ["mg/dL"] = v => v / 1000.0,
    });

    private static readonly Rule Hemoglobin = GramsPerDeciliter with
    {
        FromUnit = new Dictionary<string, Func<double, double>>(GramsPerDeciliter.FromUnit, StringComparer.Ordinal)
        {
            ["mmol/L"] = v => v * 1.611,
        },
    };

    private static readonly Rule MillimolesPerLiter = new("mmol/L", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["mmol/L"] = Same,
        ["meq/L"] = Same,
        ["mEq/L"] = Same,
    });

    private static readonly Rule Creatinine = new("mg/dL", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["mg/dL"] = Same,
        ["umol/L"] = v => v / 88.42,
        ["µmol/L"] = v => v / 88.42,
        ["mg/L"] = v => v / 10.0,
    });

    private static readonly Rule CellsPerMicroliterThousands = new("10*3/uL", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["10*3/uL"] = Same,
        ["10^3/uL"] = Same,
        ["K/uL"] = Same,
        ["10*9/L"] = Same,
        ["/uL"] = v => v / 1000.0,
    });

    private static readonly Rule Celsius = new("Cel", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["Cel"] = Same,
        ["C"] = Same,
        ["[degF]"] = v => (v - 32.0) * 5.0 / 9.0,
        ["degF"] = v => (v - 32.0) * 5.0 / 9.0,
    });

    private static readonly Rule MillimetresOfMercury = new("mm[Hg]", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["mm[Hg]"] = Same,
        ["mmHg"] = Same,
        ["kPa"] = v => v * 7.50062,
    });

    private static readonly Rule Percent = new("%", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal) { ["%"] = Same });

    private static readonly Rule LitresPerMinute = new("L/min", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["L/min"] = Same,
        ["l/min"] = Same,
        ["mL/min"] = v => v / 1000.0,
    });

    private static readonly Rule PerMinute = new("/min", new Dictionary<string, Func<double, double>>(StringComparer.Ordinal)
    {
        ["/min"] = Same,
        ["{beats}/min"] = Same,
        ["{breaths}/min"] = Same,
    });

    private static readonly Dictionary<string, Rule> ByLoinc = new(StringComparer.Ordinal)
    {
        [Loinc.HemoglobinMassBlood] = Hemoglobin,
        [Loinc.HemoglobinMassBloodCalculated] = Hemoglobin,
        [Loinc.HemoglobinMassArterialBlood] = Hemoglobin,
        [Loinc.HemoglobinMassVenousBlood] = Hemoglobin,
        [Loinc.SodiumSerumPlasma] = MillimolesPerLiter,
        [Loinc.SodiumBlood] = MillimolesPerLiter,
        [Loinc.PotassiumSerumPlasma] = MillimolesPerLiter,
        [Loinc.PotassiumBlood] = MillimolesPerLiter,
        [Loinc.CreatinineSerumPlasma] = Creatinine,
        [Loinc.CreatinineBlood] = Creatinine,
        [Loinc.CreatinineMolesSerumPlasma] = Creatinine,
        [Loinc.LeukocytesBlood] = CellsPerMicroliterThousands,
        [Loinc.LeukocytesBloodManualCount] = CellsPerMicroliterThousands,
        [Loinc.AlbuminSerumPlasma] = GramsPerDeciliter,
        [Loinc.BodyTemperature] = Celsius,
        [Loinc.SystolicBloodPressure] = MillimetresOfMercury,
        [Loinc.DiastolicBloodPressure] = MillimetresOfMercury,
        [Loinc.OxygenSaturationPulseOximetry] = Percent,
        [Loinc.OxygenSaturationArterial] = Percent,
        [Loinc.InhaledOxygenConcentration] = Percent,
        [Loinc.InhaledOxygenFlowRate] = LitresPerMinute,
        [Loinc.RespiratoryRate] = PerMinute,
        [Loinc.HeartRate] = PerMinute,
    };

    /// <summary>
    /// The value in the canonical unit of <paramref name="loincCode"/>. Codes without a rule keep their unit;
    /// a unit the rule does not know returns null, so a value is never silently misread.
    /// </summary>
    public static CanonicalQuantity? ToCanonical(string loincCode, double value, string? unit)
    {
        if (!ByLoinc.TryGetValue(loincCode, out var rule))
        {
            return new CanonicalQuantity(value, unit ?? string.Empty);
        }

        if (unit is null)
        {
            return null;
        }

        return rule.FromUnit.TryGetValue(unit.Trim(), out var convert)
            ? new CanonicalQuantity(convert(value), rule.CanonicalUnit)
            : null;
    }

    private static readonly Dictionary<string, string> Written = new(StringComparer.Ordinal)
    {
        ["a"] = "years", ["d"] = "days", ["h"] = "hours", ["g/dL"] = "g/dL", ["g/L"] = "g/L", ["mmol/L"] = "mmol/L", ["mg/dL"] = "mg/dL",
        ["umol/L"] = "µmol/L", ["meq/L"] = "mEq/L", ["mEq/L"] = "mEq/L", ["10*3/uL"] = "×10³/µL", ["10*9/L"] = "×10⁹/L", ["K/uL"] = "×10³/µL",
        ["/min"] = "/min", ["{beats}/min"] = "/min", ["{breaths}/min"] = "/min", ["%"] = "%", ["mm[Hg]"] = "mmHg", ["Cel"] = "°C",
        ["[degF]"] = "°F", ["kg"] = "kg", ["cm"] = "cm", ["kg/m2"] = "kg/m²",
    };

    /// <summary>A UCUM unit as a clinician writes it ("10*3/uL" → "×10³/µL", "mm[Hg]" → "mmHg", "Cel" → "°C"); null when unknown.</summary>
    public static string? Display(string? ucum) => ucum is not null && Written.TryGetValue(ucum, out var text) ? text : null;

    public static string? CanonicalUnitOf(string loincCode) =>
        ByLoinc.TryGetValue(loincCode, out var rule) ? rule.CanonicalUnit : null;
}
