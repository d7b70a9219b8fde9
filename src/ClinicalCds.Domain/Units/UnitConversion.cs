using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Units;

/// <summary>A value converted to the canonical UCUM unit of its LOINC code.</summary>
public readonly record struct CanonicalQuantity(double Value, string Unit);

/// <summary>
/// The values a living patient can show, in a canonical unit: above <see cref="Above"/> and below <see cref="Below"/>
/// (up to and including it when <see cref="BelowIncluded"/>).
/// </summary>
public sealed record PlausibleRange(double Above, double Below, bool BelowIncluded = false)
{
    public bool Contains(double value) => value > Above && (BelowIncluded ? value <= Below : value < Below);
}

/// <summary>
/// Converts laboratory values and vital signs to one canonical UCUM unit per LOINC code, so that a hospital reporting
/// creatinine in µmol/L and one reporting mg/dL give the same feature. Factors are the usual molar masses:
/// creatinine 113.12 g/mol (1 mg/dL = 88.42 µmol/L), hemoglobin as the tetramer-free monomer convention used by
/// laboratories reporting mmol/L (1 mmol/L = 1.611 g/dL); sodium and potassium are monovalent, so mEq/L = mmol/L.
/// A converted value no living patient can show is not usable either (<see cref="PlausibleOf"/>): it is kept as received
/// and never read as the patient's.
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
    /// What a living patient can show, per LOINC code in its canonical unit: the bounds the MIT Laboratory for
    /// Computational Physiology's MIMIC code repository applies before any analysis (MIT-LCP/mimic-code, commit
    /// 8bcbd190ca75670cd5281f9ead3611ae1cefb73e). mimic-iii/concepts/firstday/labs_first_day.sql: a result above 0 and
    /// hemoglobin at most 50 g/dL, sodium 200 mmol/L, potassium 30 mmol/L, creatinine 150 mg/dL, leukocytes 1,000 ×10³/µL,
    /// albumin 10 g/dL; vitals_first_day.sql: heart rate 0–300 /min, systolic pressure 0–400 and diastolic 0–300 mm Hg,
    /// respiratory rate 0–70 /min, temperature 10–50 °C, SpO2 above 0 up to 100 %. Deliberately wide: only what cannot be a
    /// patient falls outside — hemoglobin in g/L labelled g/dL (154 "g/dL"), a Celsius temperature charted as Fahrenheit
    /// (34.7 "°F", 1.5 °C).
    /// </summary>
    private static readonly Dictionary<string, PlausibleRange> Plausible = new(StringComparer.Ordinal)
    {
        [Loinc.HemoglobinMassBlood] = new(0, 50, true),
        [Loinc.HemoglobinMassBloodCalculated] = new(0, 50, true),
        [Loinc.HemoglobinMassArterialBlood] = new(0, 50, true),
        [Loinc.HemoglobinMassVenousBlood] = new(0, 50, true),
        [Loinc.SodiumSerumPlasma] = new(0, 200, true),
        [Loinc.SodiumBlood] = new(0, 200, true),
        [Loinc.PotassiumSerumPlasma] = new(0, 30, true),
        [Loinc.PotassiumBlood] = new(0, 30, true),
        [Loinc.CreatinineSerumPlasma] = new(0, 150, true),
        [Loinc.CreatinineBlood] = new(0, 150, true),
        [Loinc.CreatinineMolesSerumPlasma] = new(0, 150, true),
        [Loinc.LeukocytesBlood] = new(0, 1000, true),
        [Loinc.LeukocytesBloodManualCount] = new(0, 1000, true),
        [Loinc.AlbuminSerumPlasma] = new(0, 10, true),
        [Loinc.HeartRate] = new(0, 300),
        [Loinc.SystolicBloodPressure] = new(0, 400),
        [Loinc.DiastolicBloodPressure] = new(0, 300),
        [Loinc.RespiratoryRate] = new(0, 70),
        [Loinc.BodyTemperature] = new(10, 50),
        [Loinc.OxygenSaturationPulseOximetry] = new(0, 100, true),
        [Loinc.OxygenSaturationArterial] = new(0, 100, true),
    };

    /// <summary>The values a living patient can show for <paramref name="loincCode"/>, in its canonical unit; null where no bound is set.</summary>
    public static PlausibleRange? PlausibleOf(string loincCode) => Plausible.GetValueOrDefault(loincCode);

    /// <summary>The LOINC codes whose values are converted and checked: a result of one that is not usable is a feed fault.</summary>
    public static IReadOnlyCollection<string> CheckedCodes => ByLoinc.Keys;

    /// <summary>
    /// The value in the canonical unit of <paramref name="loincCode"/>. Codes without a rule keep their unit;
    /// a unit the rule does not know, or a converted value no patient can show (<see cref="PlausibleOf"/>), returns
    /// null, so a value is never silently misread.
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

        if (!rule.FromUnit.TryGetValue(unit.Trim(), out var convert))
        {
            return null;
        }

        var canonical = convert(value);
        return Plausible.TryGetValue(loincCode, out var plausible) && !plausible.Contains(canonical)
            ? null
            : new CanonicalQuantity(canonical, rule.CanonicalUnit);
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
