using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.Application.Models;

/// <summary>A way charts miss inputs: the inputs it removes.</summary>
public sealed record CoverageMask(string Name, IReadOnlySet<string> Inputs);

/// <summary>
/// Whether the stated plausible range holds (issue 31 item 2): for each way charts miss inputs — one lab panel, all
/// labs, one vital sign, all vital signs, labs and vital signs, conditions — the inputs are removed from charts that had
/// them, and the range the model then states is checked against its estimate for the chart as it was. An honest 80 %
/// range contains it about 8 times in 10.
/// </summary>
public static class RangeCoverage
{
    public static readonly IReadOnlyList<CoverageMask> Masks =
    [
        new("blood count (hemoglobin, white cells)", InputPanels.BloodCount.Inputs),
        new("chemistry (sodium, potassium, creatinine)", InputPanels.Chemistry.Inputs),
        new("all labs", InputPanels.Union(InputPanels.BloodCount, InputPanels.Chemistry, InputPanels.Albumin)),
        new("pulse oximetry and oxygen", InputPanels.PulseOximetry.Inputs),
        new("all vital signs", InputPanels.Union(InputPanels.PulseOximetry, InputPanels.OtherVitalSigns)),
        new("labs and vital signs", InputPanels.Union(InputPanels.BloodCount, InputPanels.Chemistry, InputPanels.Albumin, InputPanels.PulseOximetry, InputPanels.OtherVitalSigns)),
        // A chart without a single condition has its comorbidity inputs missing (catalog 4), as this mask leaves them.
        new("conditions", InputPanels.Conditions.Inputs),
    ];

    /// <summary>
    /// The coverage of <paramref name="model"/>'s stated range on <paramref name="charts"/>, per mask, over at most
    /// <paramref name="maxRows"/> charts the mask changes (spread evenly over them), each share with its 95 % interval over
    /// resamples of patients.
    /// </summary>
    public static IReadOnlyList<CardRangeCoverage> Measure(IRiskModel model, IReadOnlyList<(string PatientId, FeatureVector Charted)> charts, int maxRows = MaxJudged) =>
        [.. Judge(model, charts, maxRows).Select((judged, m) => Summarize(Masks[m].Name, judged))];

    /// <summary>Charts judged per mask at most (spread evenly over those it changes).</summary>
    private const int MaxJudged = 1000;

    /// <summary>
    /// One masked chart judged: whose it is, whether the range held its charted estimate, whether it lay above, and whether
    /// what the mask removed was abnormal (null when the mask's inputs have no normal values, as conditions).
    /// </summary>
    private readonly record struct Judged(string PatientId, bool Covered, bool Above, bool? Abnormal);

    /// <summary>Per mask, each sampled chart it changes, judged.</summary>
    private static List<Judged>[] Judge(IRiskModel model, IReadOnlyList<(string PatientId, FeatureVector Charted)> charts, int maxRows)
    {
        var names = model.Card.Features.Select(f => f.Name).ToList();
        var normal = ModelInference.NormalInputs(model);
        return [.. Masks.Select(mask =>
        {
            var indices = names.Select((n, j) => (n, j)).Where(p => mask.Inputs.Contains(p.n)).Select(p => p.j).ToArray();
            var normalizable = indices.Intersect(normal.Normalizable).ToArray();
            var changed = charts
                .Select(c => (c.PatientId, c.Charted, Masked: Masked(c.Charted, indices)))
                .Where(p => !p.Charted.Values.SequenceEqual(p.Masked.Values))
                .ToList();
            var step = Math.Max(1, (changed.Count + maxRows - 1) / maxRows);
            var sample = changed.Where((_, k) => k % step == 0).ToList();
            if (sample.Count == 0)
            {
                return new List<Judged>();
            }

            var estimates = model.Predict([.. sample.Select(p => p.Charted)]);
            var ranges = model.PlausibleRanges([.. sample.Select(p => p.Masked)]);
            // The charted estimate of a complete chart comes from ONNX Runtime in float32, the range from the trees in double:
            // they agree to about 1e-6 of probability, the tolerance of a bound the estimate sits on.
            return [.. sample.Select((p, k) => new Judged(
                p.PatientId,
                estimates[k] >= ranges[k].Low - 1e-6 && estimates[k] <= ranges[k].High + 1e-6,
                estimates[k] > ranges[k].High + 1e-6,
                normalizable.Length == 0 ? null : Abnormal(p.Charted.Values, names, normalizable, normal.FemaleOf(p.Charted.Values))))];
        })];
    }

    /// <summary>
    /// Whether any of the inputs at <paramref name="indices"/> was charted outside its normal values (<see cref="NormalLimits"/>,
    /// for the patient's sex when recorded): a chart whose missing value would have mattered to a clinician.
    /// </summary>
    private static bool Abnormal(IReadOnlyList<double?> values, IReadOnlyList<string> names, int[] indices, bool? female) =>
        indices.Any(j => values[j] is { } v && !NormalLimits.Of(names[j], female)!.Contains(v));

    /// <summary>Resamples of patients for a share's interval.</summary>
    private const int Resamples = 1000;

    private const int Seed = 2026;

    /// <summary>
    /// A mask's counts and the 95 % interval of its share over resamples of patients (a patient's charts move together:
    /// 65 charts of 22 patients hold far less than 65 charts' worth of evidence); none when it is not estimable.
    /// </summary>
    private static CardRangeCoverage Summarize(string mask, List<Judged> judged)
    {
        var coverage = Counted(mask, judged);
        // What the range does where the value removed would have mattered: an 80 % range may hold 9 charts in 10 by holding
        // every normal one (their estimate at the range's low end) while it misses the abnormal ones above it.
        return judged.Any(j => j.Abnormal is not null)
            ? coverage with { WhereAbnormal = Counted(mask, [.. judged.Where(j => j.Abnormal == true)]) }
            : coverage;
    }

    private static CardRangeCoverage Counted(string mask, List<Judged> judged)
    {
        var coverage = new CardRangeCoverage(mask, judged.Count, judged.Count(j => j.Covered), judged.Count(j => j.Above));
        if (judged.Count == 0)
        {
            return coverage;
        }

        var share = new PatientBootstrap([.. judged.Select(j => j.PatientId)]).Estimate(
            w => [Enumerable.Range(0, judged.Count).Sum(i => judged[i].Covered ? w[i] : 0) / w.Sum()], Resamples, Seed)[0];
        return double.IsNaN(share.Low) ? coverage : coverage with { Low = share.Low, High = share.High };
    }

    /// <summary>
    /// The charts <see cref="MeasureWithLocalCompletions"/> may fit margins on in all, over its folds (each fit reads at most
    /// <see cref="RangeCalibration.MaxCharts"/>): 10,000 is 10 folds of a large hospital's 1,000 charts, or one fit a patient
    /// for the MIMIC-IV demo's 65 and 97.
    /// </summary>
    public const int MaxChartFits = 10_000;

    /// <summary>
    /// The patient folds for <see cref="MeasureWithLocalCompletions"/>: as many as <see cref="MaxChartFits"/> allows (10 at
    /// least), at most one a patient (2 at least). What a hospital serves is fitted on all its patients, so the
    /// closer each fold's fit comes to all of them the truer the measurement; with few patients it matters (ADR 0015: on the
    /// MIMIC-IV demo's 22 complication patients, 5 folds fit on about 17, and 8 deals of them moved a row by up to 14
    /// points); one patient left out at a time fits on all the others and depends on no deal.
    /// </summary>
    public static int FoldsFor(int patients, int charts) =>
        Math.Max(2, Math.Min(patients, MaxChartFits / Math.Max(1, Math.Min(charts, RangeCalibration.MaxCharts))));

    /// <summary>
    /// The coverage the range would have were the model's completions refitted on these charts — each input's distribution
    /// (<see cref="InputDependence.WithLocalMarginals"/>), then the range's margins (<see cref="RangeCalibration"/>) —
    /// measured honestly: patients are dealt to <see cref="FoldsFor"/> folds in order of id (one patient a fold when the
    /// charts are few), and each fold's charts are measured with distributions and margins fitted on the other folds'
    /// charts, never on their own values. Null when the model has no dependence to refit.
    /// </summary>
    public static IReadOnlyList<CardRangeCoverage>? MeasureWithLocalCompletions(IRiskModel model, IReadOnlyList<(string PatientId, FeatureVector Charted)> charts)
    {
        if (model.Dependence is not { } dependence)
        {
            return null;
        }

        var folds = FoldsFor(charts.Select(c => c.PatientId).Distinct(StringComparer.Ordinal).Count(), charts.Count);
        var fold = PatientFolds.Of([.. charts.Select(c => c.PatientId)], folds);
        // The folds' fits are independent (the model answers concurrent hooks), so they run side by side; their judgements
        // are gathered in fold order, the same whatever ran first.
        var held = new List<Judged>[folds][];
        Parallel.For(0, folds, f =>
        {
            var fitted = charts.Where((_, i) => fold[i] != f).ToList();
            var local = RangeCalibration.WithMargins(model, dependence.WithLocalMarginals([.. fitted.Select(c => c.Charted.Values)]), fitted);
            held[f] = Judge(new CompletedWith(model, local), [.. charts.Where((_, i) => fold[i] == f)], MaxJudged);
        });
        var judged = Enumerable.Range(0, Masks.Count).Select(m => held.SelectMany(h => h[m]).ToList()).ToArray();

        return [.. judged.Select((j, m) => Summarize(Masks[m].Name, j) with { Folds = folds })];
    }

    /// <summary>A model served with other completions of its missing inputs (the same trees, calibration and card).</summary>
    public sealed class CompletedWith(IRiskModel model, InputDependence dependence) : IRiskModel
    {
        public ModelCard Card => model.Card;

        public TreeEnsemble Trees => model.Trees;

        public InputDependence? Dependence => dependence;

        public double[] RawScores(IReadOnlyList<float[]> rows) => model.RawScores(rows);
    }

    /// <summary>The vector with the inputs at <paramref name="indices"/> removed.</summary>
    internal static FeatureVector Masked(FeatureVector vector, IEnumerable<int> indices)
    {
        var values = vector.Values.ToArray();
        foreach (var j in indices)
        {
            values[j] = null;
        }

        return vector with { Values = values };
    }
}
