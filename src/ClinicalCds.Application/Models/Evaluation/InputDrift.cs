namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>When a feature's served inputs count as drifted (section "Monitoring" of the configuration).</summary>
public sealed class DriftThresholds
{
    public const string Section = "Monitoring";

    /// <summary>
    /// Population stability index from which an input counts as shifted: below 0.1 no significant change, 0.1–0.25 some,
    /// 0.25 and above a significant shift (Siddiqi N. Credit Risk Scorecards. Wiley 2006; Yurdakul B. Statistical
    /// properties of the population stability index. Western Michigan University 2018).
    /// </summary>
    public double Psi { get; set; } = 0.25;

    /// <summary>How far (absolute) the share of inputs not recorded may move from the training share.</summary>
    public double MissingShare { get; set; } = 0.15;

    /// <summary>
    /// The share of recorded inputs outside the range of the training reference (its 2.5th to 97.5th percentile points,
    /// about 5 % of training values) from which values are out of range.
    /// </summary>
    public double OutOfRange { get; set; } = 0.15;

    /// <summary>
    /// Recorded inputs needed before the PSI and out-of-range alarms may sound: with 20 reference bins the PSI of an
    /// unchanged population is about 19 / n, so small samples alone would look shifted.
    /// </summary>
    public int MinimumInputs { get; set; } = 200;

    /// <summary>The period compared with the reference: the served targets of the last this many days.</summary>
    public int Days { get; set; } = 30;

    /// <summary>
    /// How far the period may reach back for a small hospital: while it holds fewer than <see cref="MinimumInputs"/>
    /// targets it grows by <see cref="Days"/> at a time, up to this many days (a hospital of 6,000 patients a year
    /// discharges about 50 a month: four months reach 200).
    /// </summary>
    public int MaximumDays { get; set; } = 365;

    /// <summary>
    /// The share of a code's numeric results not usable — an unknown unit, or a value no living patient can show —
    /// above which (with at least <see cref="MinimumUnusable"/> of them) the result feed is faulty.
    /// </summary>
    public double Unusable { get; set; } = 0.01;

    /// <summary>Unusable results needed for the alarm: one mistyped result is a typo, not a feed fault.</summary>
    public int MinimumUnusable { get; set; } = 3;
}

/// <summary>One feature's served inputs against its training reference, and the alarms they raise.</summary>
public sealed record FeatureDrift(
    string Feature, int Inputs, int Recorded, double Psi, double MissingShare, double ReferenceMissingShare, double OutOfRangeShare, IReadOnlyList<string> Alarms);

/// <summary>
/// Input drift and data quality of a model's served inputs against its card (issue 22 item 3). A card with a serving
/// reference (<see cref="ServingReference"/>, issue 32 item 5) is judged against it: the training population at the
/// instants nightly runs score, binned at its deciles with each bin's own share. An older card: each feature's reference
/// is its 20 training values at the (k + ½)/20 quantiles (<see cref="MissingInputs.ReferenceOf"/>), each standing for 5 %
/// of training: the bins are those values (ties merged, edges half-way between them), the expected share of a bin its
/// count of reference values / 20. PSI = Σ (a − e) ln(a / e) over the bins, an empty bin counted as 0.5 / n.
/// </summary>
public static class InputDrift
{
    public const string Shifted = "shifted";
    public const string MissingChanged = "missing share changed";
    public const string OutOfRange = "out of range";

    public static IReadOnlyList<FeatureDrift> Compare(IReadOnlyList<CardFeature> features, IReadOnlyList<IReadOnlyList<double?>> inputs, DriftThresholds thresholds) =>
        [.. features.Select((feature, j) => Feature(feature, [.. inputs.Select(v => v[j])], thresholds))];

    private static FeatureDrift Feature(CardFeature feature, IReadOnlyList<double?> served, DriftThresholds thresholds)
    {
        var recorded = served.OfType<double>().ToList();
        var missingShare = served.Count == 0 ? double.NaN : 1 - (recorded.Count / (double)served.Count);
        var reference = feature.Reference.Order().ToList();
        var referenceMissing = feature.Serving?.MissingShare ?? feature.MissingShare;
        var (psi, outOfRange) = recorded.Count == 0 ? (double.NaN, double.NaN)
            : feature.Serving is { } serving
                ? (serving.Psi(recorded), recorded.Count(v => v < serving.Low || v > serving.High) / (double)recorded.Count)
            : reference.Count == 0 ? (double.NaN, double.NaN)
            : (Psi(reference, recorded), recorded.Count(v => v < reference[0] || v > reference[^1]) / (double)recorded.Count);

        var alarms = new List<string>();
        if (recorded.Count >= thresholds.MinimumInputs && psi >= thresholds.Psi)
        {
            alarms.Add(Shifted);
        }

        if (served.Count >= thresholds.MinimumInputs && Math.Abs(missingShare - referenceMissing) > thresholds.MissingShare)
        {
            alarms.Add(MissingChanged);
        }

        if (recorded.Count >= thresholds.MinimumInputs && outOfRange > thresholds.OutOfRange)
        {
            alarms.Add(OutOfRange);
        }

        return new FeatureDrift(feature.Name, served.Count, recorded.Count, psi, missingShare, referenceMissing, outOfRange, alarms);
    }

    private static double Psi(IReadOnlyList<double> sortedReference, IReadOnlyList<double> recorded)
    {
        var values = sortedReference.Distinct().ToList();
        var expected = values.Select(v => sortedReference.Count(r => r == v) / (double)sortedReference.Count).ToList();
        var edges = values.Zip(values.Skip(1), (a, b) => (a + b) / 2).ToList();
        var counts = new double[values.Count];
        foreach (var v in recorded)
        {
            var bin = edges.FindIndex(edge => v <= edge);
            counts[bin < 0 ? values.Count - 1 : bin]++;
        }

        var floor = 0.5 / recorded.Count;
        return values.Select((_, b) =>
        {
            var actual = Math.Max(counts[b] / recorded.Count, floor);
            return (actual - expected[b]) * Math.Log(actual / expected[b]);
        }).Sum();
    }
}
