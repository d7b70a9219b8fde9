using System.Globalization;
using ClinicalCds.Domain.Comorbidity;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.Domain.Explanations;

/// <summary>One factor of a prediction in a clinician's words, with its contribution (log-odds) and direction.</summary>
public sealed record Factor(string Feature, string Text, double Contribution)
{
    public bool RaisesRisk => Contribution > 0;
}

/// <summary>
/// Puts a feature's value into words ("3 admissions in the prior 12 months — raises risk"). Every catalog feature has
/// wording (a test checks) and a risk's own features bring theirs (<see cref="FeatureDefinition.Words"/>; the
/// <see cref="Risks.RiskCatalog"/> refuses a risk with an input without words), so no factor is shown by its code name.
/// </summary>
public static class FactorWording
{
    private enum Kind
    {
        Count,
        Flag,
        Measure,

        /// <summary>A vital sign's distance beyond a NEWS2 band edge, said as the measurement with the edge it is beyond.</summary>
        Deranged,
    }

    private static readonly Dictionary<string, (Kind Kind, string Label)> Words = new(StringComparer.Ordinal)
    {
        ["AgeYears"] = (Kind.Measure, "age"),
        ["Female"] = (Kind.Flag, "female sex"),
        ["LengthOfStayDays"] = (Kind.Measure, "length of stay"),
        ["EmergentAdmission"] = (Kind.Flag, "emergency admission"),
        ["DischargeFromOncology"] = (Kind.Flag, "discharge from oncology"),
        ["ProceduresDuringStay"] = (Kind.Count, "procedure{s} during the stay"),
        ["IntensiveCareDuringStay"] = (Kind.Flag, "intensive care during the stay"),
        ["DischargedToPostAcuteCare"] = (Kind.Flag, "discharge to a care facility"),
        ["DischargedAgainstMedicalAdvice"] = (Kind.Flag, "discharge against medical advice"),
        ["AdmissionsPrior12Months"] = (Kind.Count, "admission{s} in the prior 12 months"),
        ["EdVisitsPrior6Months"] = (Kind.Count, "emergency department visit{s} in the prior 6 months"),
        ["CharlsonIndex"] = (Kind.Measure, "Charlson comorbidity index"),
        ["CharlsonIndexQuan2011"] = (Kind.Measure, "Charlson index (Quan 2011)"),
        ["ElixhauserVanWalraven"] = (Kind.Measure, "Elixhauser score"),
        ["HemoglobinGdl"] = (Kind.Measure, "hemoglobin"),
        ["SodiumMmolL"] = (Kind.Measure, "sodium"),
        ["PotassiumMmolL"] = (Kind.Measure, "potassium"),
        ["CreatinineMgDl"] = (Kind.Measure, "creatinine"),
        ["WhiteBloodCellsPerNl"] = (Kind.Measure, "white cell count"),
        ["AlbuminGdl"] = (Kind.Measure, "albumin"),
        ["CreatinineChange48hMgDl"] = (Kind.Measure, "creatinine change over 48 h"),
        ["AkiStageKdigo"] = (Kind.Measure, "acute kidney injury stage (KDIGO)"),
        ["RespiratoryRateBelow12PerMin"] = (Kind.Deranged, "respiratory rate"),
        ["RespiratoryRateAbove20PerMin"] = (Kind.Deranged, "respiratory rate"),
        ["OxygenSaturationBelow96Percent"] = (Kind.Deranged, "oxygen saturation"),
        ["SystolicBpBelow111MmHg"] = (Kind.Deranged, "systolic blood pressure"),
        ["SystolicBpAbove219MmHg"] = (Kind.Deranged, "systolic blood pressure"),
        ["HeartRateBelow51PerMin"] = (Kind.Deranged, "heart rate"),
        ["HeartRateAbove90PerMin"] = (Kind.Deranged, "heart rate"),
        ["TemperatureBelow36_1Celsius"] = (Kind.Deranged, "temperature"),
        ["TemperatureAbove38Celsius"] = (Kind.Deranged, "temperature"),
        ["NotAlert"] = (Kind.Flag, "reduced consciousness"),
        ["SupplementalOxygen"] = (Kind.Flag, "supplemental oxygen"),
        ["ActiveMedicationCount"] = (Kind.Count, "medication{s} in the past year"),
    };

    public static bool HasWording(FeatureDefinition feature) => Label(feature.Name, feature.Words) is not null;

    /// <summary>How a clinician calls the feature ("hemoglobin", "respiratory rate"), one of <paramref name="inputs"/> when it brings its own words.</summary>
    public static string LabelOf(string feature, FeatureSet? inputs = null) =>
        Label(feature, inputs?.Find(feature)?.Words) is { } words ? Number(words.Label, 2) : feature;

    /// <summary>A measured value older than this at the instant is shown with its age ("measured 3 days before").</summary>
    public static readonly TimeSpan ShowAgeAfter = TimeSpan.FromDays(1);

    /// <summary>
    /// The factor for <paramref name="definition"/> with the patient's <paramref name="value"/> (null: not recorded). A
    /// derangement is said as the measurement itself (<paramref name="measured"/>) with the band edge: "Heart rate 135 /min
    /// (above 90)", "Heart rate 75 /min (not above 90)".
    /// </summary>
    /// <summary>
    /// One factor in words. A value older than a day carries its age relative to the instant it was judged at
    /// (<paramref name="instant"/>: "discharge", "this assessment").
    /// </summary>
    public static Factor Describe(FeatureDefinition definition, double? value, double contribution, TimeSpan? age = null, double? measured = null, string instant = "this assessment")
    {
        var (kind, label) = Label(definition.Name, definition.Words) ?? throw new ArgumentException($"No wording for feature {definition.Name}.", nameof(definition));
        var direction = contribution > 0 ? "raises risk" : contribution < 0 ? "lowers risk" : "no effect";
        var text = value switch
        {
            null => $"{Capitalized(label)} not recorded",
            { } v when kind == Kind.Deranged && measured is { } m =>
                $"{Capitalized(label)} {m.ToString("0.#", CultureInfo.InvariantCulture)}{UnitText(definition.Unit, m)} ({(v > 0 ? string.Empty : "not ")}{definition.Beyond})",
            { } v when kind == Kind.Deranged =>
                $"{Capitalized(label)} {v.ToString("0.#", CultureInfo.InvariantCulture)}{UnitText(definition.Unit, v)} {definition.Beyond}",
            { } v when kind == Kind.Flag => v >= 0.5 ? Capitalized(label) : $"No {label}",
            { } v when kind == Kind.Count => $"{v.ToString("0", CultureInfo.InvariantCulture)} {Number(label, v)}",
            { } v => $"{Capitalized(label)} {v.ToString("0.##", CultureInfo.InvariantCulture)}{UnitText(definition.Unit, v)}",
        };
        if (value is not null && age > ShowAgeAfter)
        {
            text += $" (measured {AgeText(age.Value)} before {instant})";
        }

        return new Factor(definition.Name, $"{text} — {direction}", contribution);
    }

    /// <summary>
    /// The factors that moved the prediction most, largest first; measured values older than a day carry their age. The
    /// two Charlson weightings (1987 and Quan 2011) are one fact of the patient: one driver, their contributions summed,
    /// both totals said, "not age-adjusted"; with no condition recorded at all (the comorbidity inputs then missing and
    /// completed, <see cref="FeatureCatalog"/>) it says so rather than "Charlson not recorded".
    /// </summary>
    public static IReadOnlyList<Factor> Top(FeatureSet inputs, IReadOnlyList<double?> values, IReadOnlyList<double> contributions, int count, ClinicalFeatures? features = null)
    {
        var merged = contributions.ToArray();
        var (original, quan) = (inputs.IndexOf("CharlsonIndex"), inputs.IndexOf("CharlsonIndexQuan2011"));
        if (original >= 0 && quan >= 0)
        {
            merged[original] += merged[quan];
            merged[quan] = 0;
        }

        return inputs.Features
            .Select((definition, i) => (definition, i))
            .Where(p => merged[p.i] != 0)
            .OrderByDescending(p => Math.Abs(merged[p.i]))
            .Take(count)
            .Select(p => p.i == original && quan >= 0
                ? Charlson(values[original], values[quan], merged[p.i], features?.ConditionsRecorded == 0)
                : Describe(
                    p.definition, values[p.i], merged[p.i], features is null ? null : features.AsOf - p.definition.MeasuredIn(features),
                    features is null ? null : p.definition.MeasurementIn(features), features is null ? "this assessment" : InstantOf(features)))
            .ToList();
    }

    /// <summary>What the instant of the features is to a clinician: the discharge, when they are the discharge's.</summary>
    public static string InstantOf(ClinicalFeatures features) => features.DischargedAt == features.AsOf ? "discharge" : "this assessment";

    private static Factor Charlson(double? original, double? quan, double contribution, bool nothingRecorded)
    {
        var direction = contribution > 0 ? "raises risk" : "lowers risk";
        var text = nothingRecorded
            ? "No conditions recorded (comorbidity taken as that of patients like this one on what was recorded)"
            : $"Charlson comorbidity index {original?.ToString("0", CultureInfo.InvariantCulture) ?? "not recorded"} (Quan 2011: {quan?.ToString("0", CultureInfo.InvariantCulture) ?? "not recorded"}; not age-adjusted)";
        return new Factor("CharlsonIndex", $"{text} — {direction}", contribution);
    }

    /// <summary>"1 hour", "5 hours", "3 days".</summary>
    public static string AgeText(TimeSpan age) => age.TotalHours < 48
        ? Count((int)Math.Floor(age.TotalHours), "hour")
        : Count((int)Math.Floor(age.TotalDays), "day");

    /// <summary>"1 day", "2 days", "0 days": the count with its noun in the right number (plural: <paramref name="plural"/>, else noun + "s").</summary>
    public static string Count(long n, string singular, string? plural = null) =>
        $"{n.ToString(CultureInfo.InvariantCulture)} {(n == 1 ? singular : plural ?? singular + "s")}";

    /// <summary>A label whose noun is marked "{s}" ("admission{s} in the prior 12 months") in the number of <paramref name="n"/>.</summary>
    private static string Number(string label, double n) => label.Replace("{s}", n == 1 ? string.Empty : "s", StringComparison.Ordinal);

    private static (Kind Kind, string Label)? Label(string feature, FeatureWords? own)
    {
        if (Words.TryGetValue(feature, out var words))
        {
            return words;
        }

        if (own is not null)
        {
            return (own.Kind switch { FeatureValueKind.Count => Kind.Count, FeatureValueKind.Flag => Kind.Flag, _ => Kind.Measure }, own.Label);
        }

        if (feature.StartsWith("Charlson_", StringComparison.Ordinal)
            && CodeList.Charlson.Categories.FirstOrDefault(c => c.Key == feature["Charlson_".Length..]) is { } charlson)
        {
            return (Kind.Flag, charlson.Name.ToLowerInvariant());
        }

        if (feature.StartsWith("Elixhauser_", StringComparison.Ordinal)
            && CodeList.Elixhauser.Categories.FirstOrDefault(c => c.Key == feature["Elixhauser_".Length..]) is { } elixhauser)
        {
            return (Kind.Flag, elixhauser.Name.ToLowerInvariant());
        }

        return null;
    }

    private static string UnitText(string unit, double value) =>
        Units.UnitConversion.Display(unit) is not { } text ? string.Empty
        : value == 1 && text is "days" or "years" ? " " + text[..^1]
        : " " + text;

    /// <summary>The text with its first letter upper case (a label opening a sentence).</summary>
    public static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
