using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.Application.Models;

/// <summary>A way charts miss inputs: the inputs it removes, or (conditions) sets to what a chart without any reads as.</summary>
public sealed record CoverageMask(string Name, IReadOnlySet<string> Inputs, bool ReadsAsNone = false);

/// <summary>
/// Whether the stated plausible range holds (issue 31 item 2): for each way charts miss inputs — one lab panel, all
/// labs, one vital sign, all vital signs, labs and vital signs, conditions — the inputs are removed from charts that had
/// them, and the range the model then states is checked against its estimate for the chart as it was. An honest 80 %
/// range contains it about 8 times in 10.
/// </summary>
public static class RangeCoverage
{
    private static readonly string[] BloodCount = ["HemoglobinGdl", "WhiteBloodCellsPerNl"];
    private static readonly string[] Chemistry = ["SodiumMmolL", "PotassiumMmolL", "CreatinineMgDl", "CreatinineChange48hMgDl", "AkiStageKdigo"];
    private static readonly string[] Labs = [.. BloodCount, .. Chemistry, "AlbuminGdl"];
    private static readonly string[] PulseOximetry = ["OxygenSaturationBelow96Percent", "SupplementalOxygen"];
    private static readonly string[] VitalSigns =
    [
        "RespiratoryRateBelow12PerMin", "RespiratoryRateAbove20PerMin", "OxygenSaturationBelow96Percent", "SystolicBpBelow111MmHg", "SystolicBpAbove219MmHg",
        "HeartRateBelow51PerMin", "HeartRateAbove90PerMin", "TemperatureBelow36_1Celsius", "TemperatureAbove38Celsius", "NotAlert", "SupplementalOxygen",
    ];

    public static readonly IReadOnlyList<CoverageMask> Masks =
    [
        new("blood count (hemoglobin, white cells)", BloodCount.ToHashSet()),
        new("chemistry (sodium, potassium, creatinine)", Chemistry.ToHashSet()),
        new("all labs", Labs.ToHashSet()),
        new("pulse oximetry and oxygen", PulseOximetry.ToHashSet()),
        new("all vital signs", VitalSigns.ToHashSet()),
        new("labs and vital signs", Labs.Concat(VitalSigns).ToHashSet()),
        // A chart whose conditions are not there reads as one without any (the builder cannot tell them apart).
        new("conditions", FeatureCatalog.Features.Select(f => f.Name)
            .Where(n => n.StartsWith("Charlson", StringComparison.Ordinal) || n.StartsWith("Elixhauser", StringComparison.Ordinal)).ToHashSet(), ReadsAsNone: true),
    ];

    /// <summary>
    /// The coverage of <paramref name="model"/>'s stated range on <paramref name="charted"/> vectors, per mask, over at most
    /// <paramref name="maxRows"/> charts the mask changes (spread evenly over them).
    /// </summary>
    public static IReadOnlyList<CardRangeCoverage> Measure(IRiskModel model, IReadOnlyList<FeatureVector> charted, int maxRows = 1000)
    {
        var names = FeatureCatalog.Features.Select(f => f.Name).ToList();
        var results = new List<CardRangeCoverage>();
        foreach (var mask in Masks)
        {
            var indices = names.Select((n, j) => (n, j)).Where(p => mask.Inputs.Contains(p.n)).Select(p => p.j).ToArray();
            var changed = charted
                .Select(v => (Charted: v, Masked: Masked(v, indices, mask.ReadsAsNone)))
                .Where(p => !p.Charted.Values.SequenceEqual(p.Masked.Values))
                .ToList();
            var step = Math.Max(1, (changed.Count + maxRows - 1) / maxRows);
            var sample = changed.Where((_, k) => k % step == 0).ToList();
            if (sample.Count == 0)
            {
                results.Add(new CardRangeCoverage(mask.Name, 0, 0));
                continue;
            }

            var estimates = model.Predict([.. sample.Select(p => p.Charted)]);
            var ranges = model.PlausibleRanges([.. sample.Select(p => p.Masked)]);
            // The charted estimate of a complete chart comes from ONNX Runtime in float32, the range from the trees in double:
            // they agree to about 1e-6 of probability, the tolerance of a bound the estimate sits on.
            var covered = ranges.Where((r, k) => estimates[k] >= r.Low - 1e-6 && estimates[k] <= r.High + 1e-6).Count();
            var above = ranges.Where((r, k) => estimates[k] > r.High + 1e-6).Count();
            results.Add(new CardRangeCoverage(mask.Name, sample.Count, covered, above));
        }

        return results;
    }

    private static FeatureVector Masked(FeatureVector vector, int[] indices, bool asNone)
    {
        var values = vector.Values.ToArray();
        foreach (var j in indices)
        {
            values[j] = asNone ? 0 : null;
        }

        return vector with { Values = values };
    }
}
