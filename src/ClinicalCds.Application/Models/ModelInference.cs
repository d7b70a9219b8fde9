using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.Application.Models;

/// <summary>
/// A model's answer for one patient: the calibrated probability; the exact per-feature contributions in calibrated
/// log-odds that add up, with <see cref="BaseValue"/>, to its logit (missing inputs get none); the inputs not recorded,
/// those that matter most first; and the plausible range of the probability given what is missing (10th to 90th
/// percentile over <see cref="MissingInputs.ReferenceSize"/> completions; the probability itself when nothing is missing).
/// </summary>
public sealed record ModelAssessment(
    double Probability,
    double BaseValue,
    IReadOnlyList<double> Contributions,
    int InputCount,
    IReadOnlyList<MissingInput> Missing,
    double PlausibleLow,
    double PlausibleHigh);

/// <summary>
/// The one way a loaded model is asked for probabilities and explanations (ADR 0004). A complete vector is scored by
/// ONNX Runtime; a vector with missing inputs by the model's trees with the missing inputs averaged over their reference
/// values (<see cref="TreeEnsemble.PredictWithMissing"/>, exact; a test proves it equals the mean of ONNX Runtime's scores
/// over every combination). Hooks, nightly scoring and the training evaluation all come here.
/// </summary>
public static class ModelInference
{
    public static double Calibrate(ModelCard card, double rawScore) =>
        1 / (1 + Math.Exp(-(card.Calibration.Intercept + (card.Calibration.Slope * rawScore))));

    public static InputReference References(ModelCard card) => new([.. card.Features.Select(f => f.Reference)]);

    /// <summary>
    /// Raw outputs: complete vectors by <paramref name="onnx"/> (one call for all of them), vectors with missing inputs by
    /// <paramref name="trees"/> averaged over the reference.
    /// </summary>
    public static double[] RawScores(
        IReadOnlyList<IReadOnlyList<double?>> vectors, InputReference reference, TreeEnsemble trees, Func<IReadOnlyList<float[]>, double[]> onnx, InputDependence? dependence)
    {
        var complete = new List<int>();
        var scores = new double[vectors.Count];
        for (var i = 0; i < vectors.Count; i++)
        {
            if (vectors[i].Any(v => v is null))
            {
                var x = MissingInputs.AsModelInput(vectors[i]);
                scores[i] = trees.PredictWithMissing(x, ReferenceFor(x, reference, dependence));
            }
            else
            {
                complete.Add(i);
            }
        }

        var onnxScores = onnx([.. complete.Select(i => MissingInputs.Row(vectors[i]))]);
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
        dependence is null ? reference : new InputReference(dependence.Given(x).Reference(reference.Values, MissingInputs.ReferenceSize));

    /// <summary>Calibrated probabilities, one per vector (any batch size), missing inputs averaged over their reference.</summary>
    public static IReadOnlyList<double> Predict(this IRiskModel model, IReadOnlyList<FeatureVector> vectors)
    {
        var trees = Check(model, vectors);
        return RawScores([.. vectors.Select(v => v.Values)], References(model.Card), trees, model.RawScores, model.Dependence)
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
        var probabilities = model.Predict(vectors);
        var slope = card.Calibration.Slope;

        // Inputs never recorded in training (a discharge disposition for a model scored during stays) are no inputs of the
        // model: its trees never split on them, so they are neither counted nor reported missing.
        var inputs = marginal.Values.Count(r => r.Count > 0);
        var assessments = new ModelAssessment[vectors.Count];
        for (var i = 0; i < vectors.Count; i++)
        {
            var x = MissingInputs.AsModelInput(vectors[i].Values);
            var conditional = model.Dependence?.Given(x);
            var reference = conditional is null ? marginal : new InputReference(conditional.Reference(marginal.Values, MissingInputs.ReferenceSize));
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

            var band = missingIndices.Count == 0
                ? [probabilities[i]]
                : (conditional?.Draws(x) ?? MissingInputs.Completions(x, reference.Values))
                    .Select(row => Calibrate(card, trees.Predict(Array.ConvertAll(row, v => (double)v))))
                    .Order()
                    .ToArray();
            var phi = TreeShap.Contributions(trees, x, reference, width);
            assessments[i] = new ModelAssessment(
                probabilities[i],
                card.Calibration.Intercept + (slope * trees.ExpectedValue(x, reference)),
                [.. phi.Select(p => slope * p)],
                inputs,
                missing,
                Math.Min(probabilities[i], Percentile(band, 0.1)),
                Math.Max(probabilities[i], Percentile(band, 0.9)));
        }

        return assessments;
    }

    private static double Percentile(double[] sorted, double q) => sorted[(int)Math.Round(q * (sorted.Length - 1))];

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
