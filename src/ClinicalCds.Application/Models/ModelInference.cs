using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.Application.Models;

/// <summary>
/// A model's answer for one patient: the calibrated probability; the exact per-feature contributions in calibrated
/// log-odds that add up, with <see cref="BaseValue"/>, to its logit (missing inputs get none); the inputs not recorded,
/// those that matter most first; and the plausible range of the probability given what is missing (the narrowest range
/// holding 8 in 10 of its values over the completions, <see cref="ModelInference.Shortest80"/>; the probability itself when
/// nothing is missing).
/// </summary>
public sealed record ModelAssessment(
    double Probability,
    double BaseValue,
    IReadOnlyList<double> Contributions,
    int InputCount,
    IReadOnlyList<MissingInput> Missing,
    double PlausibleLow,
    double PlausibleHigh)
{
    /// <summary>The inputs the model leans on most (<see cref="ModelInference.MainInputCount"/> of them), when none was recorded; else empty.</summary>
    public IReadOnlyList<string> MainInputsMissing { get; init; } = [];

    /// <summary>How low the probability could be were the missing labs and vital signs normal; null when none of them is missing.</summary>
    public double? IfNormalLow { get; init; }
}

/// <summary>
/// The one way a loaded model is asked for probabilities and explanations (ADR 0004). A complete vector is scored by
/// ONNX Runtime; a vector with missing inputs by the model's trees with the missing inputs averaged over their reference
/// values (<see cref="TreeEnsemble.PredictWithMissing"/>, exact; a test proves it equals the mean of ONNX Runtime's scores
/// over every combination). Hooks, nightly scoring and the training evaluation all come here.
/// </summary>
public static class ModelInference
{
    /// <summary>The inputs a model "leans on most": this many, by <see cref="TreeEnsemble.Importance"/>.</summary>
    public const int MainInputCount = 3;

    /// <summary>The indices of the inputs the model leans on most, most first: computed once per loaded model, not per call.</summary>
    public static IReadOnlyList<int> MainInputs(IRiskModel model) => MainInputsOf.GetValue(model, m =>
        [.. m.Trees.Importance(m.Card.Features.Count).Select((importance, j) => (importance, j))
            .Where(p => m.Card.Features[p.j].Reference.Count > 0 && p.importance > 0)
            .OrderByDescending(p => p.importance).Take(MainInputCount).Select(p => p.j)]);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IRiskModel, IReadOnlyList<int>> MainInputsOf = [];

    /// <summary>
    /// A vector as the model reads it (float32 values, missing ones null) with what its missing inputs are averaged over:
    /// their distribution given the recorded inputs (ADR 0009) when the model keeps its inputs' dependence, else the
    /// training reference (ADR 0004). Computed once per vector and shared by the probability, the explanation and the range.
    /// </summary>
    private sealed record Prepared(double?[] X, bool AnyMissing, ConditionalInputs? Conditional, InputReference Reference);

    private static Prepared Prepare(IReadOnlyList<double?> values, InputReference marginal, InputDependence? dependence)
    {
        var x = MissingInputs.AsModelInput(values);
        if (dependence is null || !x.Any(v => v is null))
        {
            return new Prepared(x, x.Any(v => v is null), null, marginal);
        }

        var conditional = dependence.Given(x);
        return new Prepared(x, true, conditional, new InputReference(conditional.Reference(marginal.Values, MissingInputs.ReferenceSize)));
    }

    public static double Calibrate(ModelCard card, double rawScore) => card.Calibration.Probability(rawScore);

    public static InputReference References(ModelCard card) => new([.. card.Features.Select(f => f.Reference)]);

    /// <summary>
    /// Raw outputs: complete vectors by <paramref name="onnx"/> (one call for all of them), vectors with missing inputs by
    /// <paramref name="trees"/> averaged over their plausible values (<see cref="ReferenceFor"/>).
    /// </summary>
    public static double[] RawScores(
        IReadOnlyList<IReadOnlyList<double?>> vectors, InputReference reference, TreeEnsemble trees, Func<IReadOnlyList<float[]>, double[]> onnx, InputDependence? dependence) =>
        RawScores([.. vectors.Select(v => Prepare(v, reference, dependence))], trees, onnx);

    private static double[] RawScores(Prepared[] prepared, TreeEnsemble trees, Func<IReadOnlyList<float[]>, double[]> onnx)
    {
        var complete = new List<int>();
        var scores = new double[prepared.Length];
        for (var i = 0; i < prepared.Length; i++)
        {
            if (prepared[i].AnyMissing)
            {
                scores[i] = trees.PredictWithMissing(prepared[i].X, prepared[i].Reference);
            }
            else
            {
                complete.Add(i);
            }
        }

        var onnxScores = onnx([.. complete.Select(i => MissingInputs.Row(prepared[i].X))]);
        for (var k = 0; k < complete.Count; k++)
        {
            scores[complete[k]] = onnxScores[k];
        }

        return scores;
    }

    /// <summary>
    /// The reference a vector's missing inputs are averaged over: their distribution given its recorded inputs when the
    /// model keeps its inputs' dependence (ADR 0009), else the training reference, taken as independent (ADR 0004).
    /// </summary>
    public static InputReference ReferenceFor(IReadOnlyList<double?> x, InputReference reference, InputDependence? dependence) =>
        Prepare(x, reference, dependence).Reference;

    /// <summary>Calibrated probabilities, one per vector (any batch size), missing inputs averaged over their reference.</summary>
    public static IReadOnlyList<double> Predict(this IRiskModel model, IReadOnlyList<FeatureVector> vectors)
    {
        var trees = Check(model, vectors);
        var marginal = References(model.Card);
        return RawScores([.. vectors.Select(v => Prepare(v.Values, marginal, model.Dependence))], trees, model.RawScores)
            .Select(raw => Calibrate(model.Card, raw))
            .ToList();
    }

    /// <summary>Each vector's assessment: probability, explanation, missing inputs and the plausible range.</summary>
    public static IReadOnlyList<ModelAssessment> Assess(this IRiskModel model, IReadOnlyList<FeatureVector> vectors)
    {
        var trees = Check(model, vectors);
        var card = model.Card;
        var marginal = References(card);
        var width = card.Features.Count;
        var prepared = vectors.Select(v => Prepare(v.Values, marginal, model.Dependence)).ToArray();
        var raws = RawScores(prepared, trees, model.RawScores);
        var probabilities = raws.Select(raw => Calibrate(card, raw)).ToArray();

        // Inputs never recorded in training (a discharge disposition for a model scored during stays) are no inputs of the
        // model: its trees never split on them, so they are neither counted nor reported missing.
        var inputs = marginal.Values.Count(r => r.Count > 0);
        var main = MainInputs(model);
        var assessments = new ModelAssessment[vectors.Count];
        for (var i = 0; i < vectors.Count; i++)
        {
            var (x, _, conditional, reference) = prepared[i];
            var missingIndices = MissingInputs.MissingIndices(x).Where(j => reference.Values[j].Count > 0).ToList();

            // How far each missing input alone could move the answer: its reference values, the other missing inputs
            // still averaged — the very probabilities the answer lies between.
            var missing = missingIndices.Select(j =>
            {
                var swept = reference.Values[j].Distinct().Select(v =>
                {
                    var known = (double?[])x.Clone();
                    known[j] = (float)v;
                    return Calibrate(card, trees.PredictWithMissing(known, reference));
                }).ToList();
                return new MissingInput(card.Features[j].Name, swept.Min(), swept.Max());
            }).OrderByDescending(m => m.Spread).ThenBy(m => m.Feature, StringComparer.Ordinal).ToList();

            var (low, high) = Band(card, trees, x, probabilities[i], conditional, reference, missingIndices.Count > 0, model.Dependence?.Margins);
            // Contributions on the raw score add up to it less the expected score; scaled to calibrated log-odds they add
            // up to the answer's logit less the expected score's (Platt: by its slope; isotonic: the secant, ADR 0011).
            var phi = TreeShap.Contributions(trees, x, reference, width);
            var expected = trees.ExpectedValue(x, reference);
            var scale = card.Calibration.LogOddsPerScore(expected, raws[i]);
            assessments[i] = new ModelAssessment(
                probabilities[i],
                card.Calibration.LogOdds(expected),
                [.. phi.Select(p => scale * p)],
                inputs,
                missing,
                low,
                high)
            {
                MainInputsMissing = main.All(j => x[j] is null) ? [.. main.Select(j => card.Features[j].Name)] : [],
                IfNormalLow = IfNormal(model, trees, x, reference),
            };
        }

        return assessments;
    }

    /// <summary>
    /// Each vector's probability, plausible range and how low it could be were its missing labs and vital signs normal
    /// (what <see cref="Assess"/> states, without the explanation).
    /// </summary>
    public static IReadOnlyList<(double Probability, double Low, double High, double? IfNormalLow)> PlausibleRanges(this IRiskModel model, IReadOnlyList<FeatureVector> vectors)
    {
        var trees = Check(model, vectors);
        var marginal = References(model.Card);
        var prepared = vectors.Select(v => Prepare(v.Values, marginal, model.Dependence)).ToArray();
        var probabilities = RawScores(prepared, trees, model.RawScores).Select(raw => Calibrate(model.Card, raw)).ToArray();
        return [.. prepared.Select((p, i) =>
        {
            var (low, high) = Band(model.Card, trees, p.X, probabilities[i], p.Conditional, p.Reference, MissingInputs.MissingIndices(p.X).Any(j => p.Reference.Values[j].Count > 0), model.Dependence?.Margins);
            return (probabilities[i], low, high, IfNormal(model, trees, p.X, p.Reference));
        })];
    }

    /// <summary>
    /// The plausible range: the narrowest range holding 8 in 10 of the probabilities over completions of the missing inputs
    /// (<see cref="Shortest80"/>) — joint draws given the recorded ones (ADR 0009), else the reference values paired
    /// (ADR 0004) — widened to include the estimate, then moved by the hospital's margins for charts missing such inputs
    /// when its completions carry them (<see cref="RangeMargins"/>, ADR 0015).
    /// </summary>
    private static (double Low, double High) Band(
        ModelCard card, TreeEnsemble trees, double?[] x, double probability, ConditionalInputs? conditional, InputReference reference, bool anyMissing,
        RangeMargins? margins)
    {
        if (!anyMissing)
        {
            return (probability, probability);
        }

        var band = (conditional?.Draws(x) ?? MissingInputs.Completions(x, reference.Values))
            .Select(row => Calibrate(card, trees.Predict(Array.ConvertAll(row, v => (double)v))))
            .Order()
            .ToArray();
        var (low, high) = Shortest80(band);
        (low, high) = (Math.Min(probability, low), Math.Max(probability, high));
        return margins?.Apply(x, probability, low, high) ?? (low, high);
    }

    /// <summary>
    /// The narrowest range of order statistics that holds 80 % of a further draw from <paramref name="sorted"/>'s
    /// distribution: X(i) to X(i + s) with s = ⌈0.9(n+1)⌉ − ⌊0.1(n+1)⌋ (with 100 draws 81 apart, covering 81/101 = 80.2 %),
    /// the start i chosen where that range is narrowest, the central one (i = ⌊0.1(n+1)⌋) among equals. Where the
    /// distribution is symmetric this is the 10th to 90th percentile; where many completions give one value — a missing
    /// vital sign is most often normal, and the model, monotone in it, is then at its lowest — the central range would
    /// hold far more than 8 in 10 (95 % on the test split for pulse oximetry) and this one holds 8 in 10 (issue 31 item 2).
    /// </summary>
    public static (double Low, double High) Shortest80(IReadOnlyList<double> sorted)
    {
        var n = sorted.Count;
        var central = Math.Max(0, (int)Math.Floor(0.1 * (n + 1)) - 1);
        var span = Math.Min(n - 1, (int)Math.Ceiling(0.9 * (n + 1)) - 1) - central;
        var best = central;
        for (var i = 0; i + span < n; i++)
        {
            var width = sorted[i + span] - sorted[i];
            var bestWidth = sorted[best + span] - sorted[best];
            if (width < bestWidth - 1e-12 || (Math.Abs(width - bestWidth) <= 1e-12 && Math.Abs(i - central) < Math.Abs(best - central)))
            {
                best = i;
            }
        }

        return (sorted[best], sorted[best + span]);
    }

    /// <summary>
    /// The lowest probability if the missing inputs that have normal values (<see cref="NormalLimits"/>: labs, the
    /// creatinine course, vital signs) were normal (issue 31 item 4). The plausible range completes them like patients
    /// with the same recorded inputs, and a normal value is often rarer there than in the patient: a lab not taken is
    /// more often a lab nobody needed than a population's average (Agniel, Kohane and Weber, "Biases in electronic health
    /// record data due to processes within the healthcare system", BMJ 2018;361:k1479). So the card also says how low the
    /// estimate would go were they normal — any values within their normal intervals (for the patient's sex when
    /// recorded), the other missing inputs averaged over their plausible values as for the estimate — as a bound that no
    /// normal values go below (<see cref="TreeEnsemble.LowestOver"/>). Null when no such input is missing.
    /// </summary>
    private static double? IfNormal(IRiskModel model, TreeEnsemble trees, double?[] x, InputReference reference)
    {
        var card = model.Card;
        var inputs = NormalInputs(model);
        var female = inputs.FemaleOf(x);
        (double Low, double High)?[]? box = null;
        foreach (var j in inputs.Normalizable.Where(j => x[j] is null))
        {
            var interval = NormalLimits.Of(card.Features[j].Name, female)!;
            box ??= new (double, double)?[x.Length];
            box[j] = (interval.Low, interval.High);
        }

        // A lower bound on the raw score is one on the probability only while calibration keeps their order.
        return box is null || !card.Calibration.KeepsOrder ? null : Calibrate(card, trees.LowestOver(x, reference, box));
    }

    /// <summary>A model's inputs that have normal values (recorded in training) and where its sex input is.</summary>
    internal sealed record NormalInputIndices(int[] Normalizable, int? Female)
    {
        /// <summary>Whether the patient of <paramref name="x"/> is female, as the normal intervals read sex; null when not recorded.</summary>
        public bool? FemaleOf(IReadOnlyList<double?> x) => Female is { } f && x[f] is { } v ? v > 0.5 : null;
    }

    /// <summary>The model's <see cref="NormalInputIndices"/>, computed once per loaded model.</summary>
    internal static NormalInputIndices NormalInputs(IRiskModel model) => NormalInputsOf.GetValue(model, m =>
    {
        var features = m.Card.Features;
        return new NormalInputIndices(
            [.. Enumerable.Range(0, features.Count).Where(j => features[j].Reference.Count > 0 && NormalLimits.Of(features[j].Name, null) is not null)],
            Enumerable.Range(0, features.Count).Where(j => features[j].Name == "Female").Cast<int?>().FirstOrDefault());
    });

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IRiskModel, NormalInputIndices> NormalInputsOf = [];

    private static TreeEnsemble Check(IRiskModel model, IReadOnlyList<FeatureVector> vectors)
    {
        var card = model.Card;
        foreach (var vector in vectors)
        {
            if (vector.CatalogVersion != card.FeatureCatalogVersion || vector.Values.Count != card.Features.Count)
            {
                throw new ArgumentException($"Model {card.Name} {card.Version} needs {card.FeatureCatalogVersion} vectors of {card.Features.Count} features.", nameof(vectors));
            }
        }

        return model.Trees ?? throw new InvalidOperationException($"Model {card.Name} {card.Version} has no trees.json to average missing inputs and explain with.");
    }
}
