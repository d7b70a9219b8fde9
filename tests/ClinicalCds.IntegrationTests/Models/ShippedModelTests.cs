using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Features;
using ClinicalCds.Infrastructure.Models;

namespace ClinicalCds.IntegrationTests.Models;

/// <summary>
/// The models shipped under models/, as the server serves them: a missing input is never read as an extreme value
/// (ADR 0004), and explanations add up to what is served, missing inputs or not.
/// </summary>
public sealed class ShippedModelTests
{
    public static TheoryData<string> Models => new(Directory.GetDirectories(Path.Combine(Repository.Root, "models")).Select(Path.GetFileName)!);

    private static OnnxRiskModel Load(string name)
    {
        var folder = Directory.GetDirectories(Path.Combine(Repository.Root, "models", name)).Single();
        var (model, error) = OnnxModelRegistry.Load(folder);
        Assert.True(model is not null, error);
        return model;
    }

    /// <summary>Rows drawn from the card: each input one of its reference values, or not recorded at its training missing share.</summary>
    private static List<FeatureVector> Rows(ModelCard card, int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new FeatureVector(card.FeatureCatalogVersion, card.Features
            .Select(f => f.Reference.Count == 0 || random.NextDouble() < f.MissingShare ? (double?)null : f.Reference[random.Next(f.Reference.Count)])
            .ToList())).ToList();
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_probability_with_an_input_missing_lies_within_the_probabilities_its_reference_values_give(string name)
    {
        using var model = Load(name);
        var card = model.Card;
        var rows = Rows(card, 150, seed: 18);
        var checkedInputs = 0;
        var violations = new List<string>();
        for (var j = 0; j < card.Features.Count; j++)
        {
            var values = card.Features[j].Reference.Distinct().ToList();
            if (values.Count < 2)
            {
                continue;
            }

            checkedInputs++;
            // One batch per input: each row with the input missing, then with each reference value.
            var batch = new List<FeatureVector>();
            foreach (var row in rows)
            {
                batch.Add(With(row, j, null));
                batch.AddRange(values.Select(v => With(row, j, v)));
            }

            var probabilities = model.Predict(batch);
            var stride = values.Count + 1;
            for (var r = 0; r < rows.Count; r++)
            {
                var missing = probabilities[r * stride];
                var known = Enumerable.Range(1, values.Count).Select(k => probabilities[(r * stride) + k]).ToList();
                // Complete rows are scored by ONNX Runtime in float32, rows with missing inputs by the trees in double:
                // they agree to about 1e-6 of probability, which is the tolerance.
                if (missing < known.Min() - 1e-6 || missing > known.Max() + 1e-6)
                {
                    violations.Add($"{card.Features[j].Name} row {r}: {missing:P2} outside {known.Min():P2}-{known.Max():P2}");
                }
            }
        }

        Assert.True(checkedInputs >= 20, $"only {checkedInputs} inputs have two or more reference values");
        Assert.True(violations.Count == 0, string.Join("\n", violations.Take(20)));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Explanations_add_up_to_the_served_probability_and_missing_inputs_are_ranked_by_how_far_they_move_it(string name)
    {
        using var model = Load(name);
        var rows = Rows(model.Card, 60, seed: 7);
        Assert.Contains(rows, r => r.Values.Any(v => v is null));

        var assessments = model.Assess(rows);
        var probabilities = model.Predict(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var a = assessments[i];
            Assert.Equal(probabilities[i], a.Probability, 12);
            Assert.Equal(Math.Log(a.Probability / (1 - a.Probability)), a.BaseValue + a.Contributions!.Sum(), 4);
            Assert.Equal(rows[i].Values.Where((v, j) => v is null && model.Card.Features[j].Reference.Count > 0).Count(), a.Missing.Count);
            Assert.Equal(a.Missing.OrderByDescending(m => m.Spread).Select(m => m.Spread), a.Missing.Select(m => m.Spread));
            Assert.InRange(a.PlausibleLow, 0, a.PlausibleHigh);
            if (a.Missing.Count == 0)
            {
                Assert.Equal((a.Probability, a.Probability), (a.PlausibleLow, a.PlausibleHigh));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ONNX_Runtime_reproduces_the_answer_for_missing_inputs_as_the_mean_of_its_scores_over_every_combination(string name)
    {
        using var model = Load(name);
        var reference = ModelInference.References(model.Card);
        var random = new Random(3);
        var candidates = Enumerable.Range(0, model.Card.Features.Count).Where(j => model.Card.Features[j].Reference.Count > 0).ToList();
        var complete = Rows(model.Card, 40, seed: 5).Select(r => r with
        {
            Values = [.. r.Values.Select((v, j) => v ?? (model.Card.Features[j].Reference.Count > 0 ? model.Card.Features[j].Reference[0] : 0))],
        }).ToList();
        foreach (var row in complete)
        {
            // One or two inputs missing: every combination of their reference values, scored by ONNX Runtime.
            var missing = candidates.OrderBy(_ => random.Next()).Take(1 + random.Next(2)).ToList();
            var x = MissingInputs.AsModelInput(row.Values);
            foreach (var j in missing)
            {
                x[j] = null;
            }

            var combinations = new List<float[]> { MissingInputs.Row(x) };
            foreach (var j in missing)
            {
                combinations = [.. combinations.SelectMany(c => reference.Values[j].Select(v =>
                {
                    var next = (float[])c.Clone();
                    next[j] = (float)v;
                    return next;
                }))];
            }

            // ONNX Runtime sums its trees in float32: agreement to a relative 1e-6 of the raw score.
            var onnxMean = model.RawScores(combinations).Average();
            Assert.InRange(Math.Abs(onnxMean - model.Trees.PredictWithMissing(x, reference)), 0, 1e-6 * Math.Max(1, Math.Abs(onnxMean)));
            var onnxComplete = model.RawScores([MissingInputs.Row(row.Values)])[0];
            Assert.InRange(Math.Abs(onnxComplete - model.Trees.Predict([.. row.Values.Select(v => (double)(float)v!.Value)])), 0, 1e-6 * Math.Max(1, Math.Abs(onnxComplete)));
        }
    }

    private static FeatureVector With(FeatureVector row, int index, double? value)
    {
        var values = row.Values.ToArray();
        values[index] = value;
        return row with { Values = values };
    }
}
