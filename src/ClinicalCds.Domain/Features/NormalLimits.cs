namespace ClinicalCds.Domain.Features;

/// <summary>An interval of values a clinician reads as normal: <see cref="Low"/> to <see cref="High"/>, the high end itself included or not.</summary>
public sealed record NormalInterval(double Low, double High, bool IncludesHigh = true)
{
    public bool Contains(double value) => value >= Low && (IncludesHigh ? value <= High : value < High);

    /// <summary>A value in the middle of the interval (0 for an interval open below, like a rise under 0.3).</summary>
    public double Middle => double.IsNegativeInfinity(Low) ? Math.Min(0, High) : (Low + High) / 2;
}

/// <summary>
/// The values of the model inputs measured by labs and vital signs that a clinician reads as normal: what "if what is
/// missing were normal" means on a card (issue 31 item 4). Inputs without such a notion (age, counts, conditions) have none.
/// </summary>
public static class NormalLimits
{
    /// <summary>
    /// Laboratory reference intervals, adult, female and male: the values every interval the Beth Israel Deaconess Medical
    /// Center laboratory has reported with its results calls normal, as charted in MIMIC-IV (labevents ref_range_lower and
    /// ref_range_upper; Observation.referenceRange in the MIMIC-IV demo on FHIR, which reports two intervals for most tests
    /// over the years). Hemoglobin (itemid 51222) 12.0–15.7 g/dL female (11.2–15.7, 12.0–16.0), 14.0–17.5 male (13.7–17.5,
    /// 14.0–18.0); white cells (51301) 4.0–10.0 ×10³/µL (4.0–10.0, 4.0–11.0); sodium (50983) 135–145 mmol/L (133–145,
    /// 135–147); potassium (50971) 3.5–5.1 mmol/L (3.3–5.1, 3.5–5.4); creatinine (50912) 0.4–1.1 mg/dL female, 0.5–1.2
    /// male; albumin (50862) 3.5–5.2 g/dL. Sex unknown: the values both sexes' intervals call normal.
    /// </summary>
    private static readonly Dictionary<string, (NormalInterval Female, NormalInterval Male)> Labs = new(StringComparer.Ordinal)
    {
        ["HemoglobinGdl"] = (new(12.0, 15.7), new(14.0, 17.5)),
        ["WhiteBloodCellsPerNl"] = (new(4.0, 10.0), new(4.0, 10.0)),
        ["SodiumMmolL"] = (new(135, 145), new(135, 145)),
        ["PotassiumMmolL"] = (new(3.5, 5.1), new(3.5, 5.1)),
        ["CreatinineMgDl"] = (new(0.4, 1.1), new(0.5, 1.2)),
        ["AlbuminGdl"] = (new(3.5, 5.2), new(3.5, 5.2)),
    };

    /// <summary>
    /// The creatinine course without acute kidney injury: a rise under 0.3 mg/dL within 48 h and stage 0 (KDIGO Clinical
    /// Practice Guideline for Acute Kidney Injury, Kidney Int Suppl 2012;2:1-138, section 2.1.1). Vital signs: no
    /// derangement beyond NEWS2's 0-point band, alert, on air (RCP NEWS2 2017, Chart 1) — each such input is 0 when normal.
    /// </summary>
    private static readonly Dictionary<string, NormalInterval> Others = new(StringComparer.Ordinal)
    {
        ["CreatinineChange48hMgDl"] = new(double.NegativeInfinity, 0.3, IncludesHigh: false),
        ["AkiStageKdigo"] = new(0, 0),
        ["RespiratoryRateBelow12PerMin"] = new(0, 0),
        ["RespiratoryRateAbove20PerMin"] = new(0, 0),
        ["OxygenSaturationBelow96Percent"] = new(0, 0),
        ["SystolicBpBelow111MmHg"] = new(0, 0),
        ["SystolicBpAbove219MmHg"] = new(0, 0),
        ["HeartRateBelow51PerMin"] = new(0, 0),
        ["HeartRateAbove90PerMin"] = new(0, 0),
        ["TemperatureBelow36_1Celsius"] = new(0, 0),
        ["TemperatureAbove38Celsius"] = new(0, 0),
        ["NotAlert"] = new(0, 0),
        ["SupplementalOxygen"] = new(0, 0),
    };

    /// <summary>The normal values of <paramref name="feature"/> for a patient of the given sex (null: unknown); null when the input has no normal values.</summary>
    public static NormalInterval? Of(string feature, bool? female)
    {
        if (Others.TryGetValue(feature, out var other))
        {
            return other;
        }

        if (!Labs.TryGetValue(feature, out var lab))
        {
            return null;
        }

        return female switch
        {
            true => lab.Female,
            false => lab.Male,
            null => new NormalInterval(Math.Max(lab.Female.Low, lab.Male.Low), Math.Min(lab.Female.High, lab.Male.High)),
        };
    }

    /// <summary>The inputs that have normal values: labs and the creatinine course, then vital signs.</summary>
    public static IReadOnlyCollection<string> Inputs => [.. Labs.Keys, .. Others.Keys];
}
