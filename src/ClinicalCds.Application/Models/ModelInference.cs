using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.Application.Models;

/// <summary>
/// A model's answer for one patient: the calibrated probability; the exact per-feature contributions in calibrated
/// log-odds that add up, with <see cref="BaseValue"/>, to its logit (null when the model ships no trees); the inputs not
/// recorded, those that matter most first; and the plausible range of the probability given what is missing (10th to
/// 90th percentile over the missing inputs' reference values; the probability itself when nothing is missing).
/// </summary>
public sealed record ModelAssessment(
    double Probability,
    double BaseValue,
    IReadOnlyList<double>? Contributions,
    int InputCount,
    IReadOnlyList<MissingInput> Missing,
    double PlausibleLow,
    double PlausibleHigh);

/// <summary>
/// The one way a loaded model is asked for probabilities and explanations, with missing inputs averaged over their
/// reference values (<see cref="MissingInputs"/>). Hooks, nightly scoring and the training evaluation all come here.
/// </summary>
public static class ModelInference
{
    public static double Calibrate(ModelCard card, double rawScore) =>
        1 / (1 + Math.Exp(-(card.Calibration.Intercept + (card.Calibration.Slope * rawScore))));

    public static IReadOnlyList<IReadOnlyList<double>> References(ModelCard card) => [.. card.Features.Select(f => f.Reference)];

    /// <summary>Calibrated probabilities, one per vector (any batch size), missing inputs averaged over their reference.</summary>
    public static IReadOnlyList<double> Predict(this IRiskModel model, IReadOnlyList<FeatureVector> vectors)
    {
        Check(model.Card, vectors);
        return MissingInputs.AveragedRawScores([.. vectors.Select(v => v.Values)], References(model.Card), model.RawScores)
            .Select(raw => Calibrate(model.Card, raw))
            .ToList();
    }

    /// <summary>Each vector's assessment: probability, explanation, missing inputs and the plausible range.</summary>
    public static IReadOnlyList<ModelAssessment> Assess(this IRiskModel model, IReadOnlyList<FeatureVector> vectors)
    {
        Check(model.Card, vectors);
        var reference = References(model.Card);
        var width = model.Card.Features.Count;

        // Every row any vector needs — its completions, then each missing input's sweep — scored in one call.
        var plans = vectors.Select(v =>
        {
            var missing = MissingInputs.MissingIndices(v.Values);
            var completions = MissingInputs.Completions(v.Values, reference);
            var sweeps = missing.Where(j => reference[j].Count > 0).Select(j => (Feature: j, Rows: MissingInputs.Sweep(v.Values, reference, j))).ToList();
            return (Vector: v, Completions: completions, Sweeps: sweeps);
        }).ToList();
        var scores = model.RawScores([.. plans.SelectMany(p => p.Completions.Concat(p.Sweeps.SelectMany(s => s.Rows)))]);

        var trees = model.Trees;
        var slope = model.Card.Calibration.Slope;
        var baseValue = trees is null ? 0 : model.Card.Calibration.Intercept + (slope * trees.ExpectedValue());
        var assessments = new ModelAssessment[vectors.Count];
        var at = 0;
        for (var i = 0; i < plans.Count; i++)
        {
            var (vector, completions, sweeps) = plans[i];
            var completed = scores.AsSpan(at, completions.Length).ToArray();
            at += completions.Length;
            var probabilities = completed.Select(raw => Calibrate(model.Card, raw)).Order().ToArray();
            var missing = new List<MissingInput>();
            foreach (var (feature, rows) in sweeps)
            {
                var swept = scores.AsSpan(at, rows.Length).ToArray().Select(raw => Calibrate(model.Card, raw)).ToList();
                at += rows.Length;
                missing.Add(new MissingInput(model.Card.Features[feature].Name, swept.Min(), swept.Max()));
            }

            missing.AddRange(MissingInputs.MissingIndices(vector.Values)
                .Where(j => reference[j].Count == 0)
                .Select(j => new MissingInput(model.Card.Features[j].Name, probabilities[0], probabilities[0])));

            double[]? contributions = null;
            if (trees is not null)
            {
                // The mean of exact TreeSHAP over the completions: additive, and with the base value it sums to the logit
                // of the averaged raw output (Platt calibration is affine in the raw output).
                contributions = new double[width];
                foreach (var row in completions)
                {
                    var phi = TreeShap.Contributions(trees, Array.ConvertAll(row, v => (double)v), width);
                    for (var j = 0; j < width; j++)
                    {
                        contributions[j] += slope * phi[j] / completions.Length;
                    }
                }
            }

            assessments[i] = new ModelAssessment(
                Calibrate(model.Card, completed.Average()),
                baseValue,
                contributions,
                width,
                [.. missing.OrderByDescending(m => m.Spread).ThenBy(m => m.Feature, StringComparer.Ordinal)],
                Percentile(probabilities, 0.1),
                Percentile(probabilities, 0.9));
        }

        return assessments;
    }

    /// <summary>The model's contributions for one vector (calibrated log-odds, catalog order); null without trees.</summary>
    public static (double BaseValue, IReadOnlyList<double> Contributions)? Explain(this IRiskModel model, FeatureVector vector) =>
        model.Trees is null ? null : model.Assess([vector])[0] is { Contributions: { } c } a ? (a.BaseValue, c) : null;

    private static double Percentile(double[] sorted, double q) => sorted[(int)Math.Round(q * (sorted.Length - 1))];

    private static void Check(ModelCard card, IReadOnlyList<FeatureVector> vectors)
    {
        foreach (var vector in vectors)
        {
            if (vector.CatalogVersion != card.FeatureCatalogVersion || vector.Values.Count != card.Features.Count)
            {
                throw new ArgumentException($"Model {card.Name} {card.Version} needs {card.FeatureCatalogVersion} vectors of {card.Features.Count} features.", nameof(vectors));
            }
        }
    }
}
