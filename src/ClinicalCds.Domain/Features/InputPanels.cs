namespace ClinicalCds.Domain.Features;

/// <summary>A set of inputs that charts record or miss together: one lab panel, one set of vital signs, the conditions.</summary>
public sealed record InputPanel(string Name, IReadOnlySet<string> Inputs);

/// <summary>
/// The ways the standard inputs go missing together (issue 31 item 2): a blood count, a chemistry panel and an albumin are
/// each drawn on their own, pulse oximetry and oxygen are charted apart from the other vital signs on many wards, and a
/// chart without a single condition leaves every comorbidity input missing (catalog 4). The range coverage masks are
/// unions of them, and a range's local widening is kept per combination of them (<see cref="Models.RangeMargins"/>).
/// </summary>
public static class InputPanels
{
    public static readonly InputPanel BloodCount = new("blood count", Set("HemoglobinGdl", "WhiteBloodCellsPerNl"));

    public static readonly InputPanel Chemistry = new("chemistry", Set("SodiumMmolL", "PotassiumMmolL", "CreatinineMgDl", "CreatinineChange48hMgDl", "AkiStageKdigo"));

    public static readonly InputPanel Albumin = new("albumin", Set("AlbuminGdl"));

    public static readonly InputPanel PulseOximetry = new("pulse oximetry and oxygen", Set("OxygenSaturationBelow96Percent", "SupplementalOxygen"));

    public static readonly InputPanel OtherVitalSigns = new("other vital signs", Set(
        "RespiratoryRateBelow12PerMin", "RespiratoryRateAbove20PerMin", "SystolicBpBelow111MmHg", "SystolicBpAbove219MmHg",
        "HeartRateBelow51PerMin", "HeartRateAbove90PerMin", "TemperatureBelow36_1Celsius", "TemperatureAbove38Celsius", "NotAlert"));

    public static readonly InputPanel Conditions = new("conditions", FeatureCatalog.Standard.Names
        .Where(n => n.StartsWith("Charlson", StringComparison.Ordinal) || n.StartsWith("Elixhauser", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal));

    public static readonly IReadOnlyList<InputPanel> All = [BloodCount, Chemistry, Albumin, PulseOximetry, OtherVitalSigns, Conditions];

    /// <summary>The inputs of several panels together.</summary>
    public static IReadOnlySet<string> Union(params InputPanel[] panels) => panels.SelectMany(p => p.Inputs).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);
}
