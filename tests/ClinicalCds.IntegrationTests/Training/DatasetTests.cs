using ClinicalCds.Domain.Models;
using ClinicalCds.Domain.Risks;
using System.Globalization;
using System.Net;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using ClinicalCds.Training;
using ClinicalCds.Application.Models;
using ClinicalCds.Infrastructure.Models;
using System.Text.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Training;

/// <summary>A synthetic population imported once; its generator's ground truth never passed through FHIR.</summary>
public sealed class SyntheticStoreFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"clinicalcds-dataset-{Guid.NewGuid():N}");

    public ApiFactory Api { get; } = new();
    public DateTimeOffset AsOf { get; } = new(SyntheticOptions.DefaultAsOf);
    public string GroundTruth => Path.Combine(_directory, "ground-truth");

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        PopulationGenerator.Generate(new SyntheticOptions(1600, 17, SyntheticOptions.DefaultAsOf), _directory);
        using var client = Api.CreateClient();
        await TestAdmin.ImportPopulationAsync(client, _directory);
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Api).DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public async Task<List<DatasetRow>> DatasetAsync(RiskDefinition model)
    {
        await using var scope = Api.Services.CreateAsyncScope();
        var rows = new List<DatasetRow>();
        await foreach (var row in scope.ServiceProvider.GetRequiredService<IMediator>().CreateStream(new BuildDatasetQuery(model, AsOf, Seed: 7)))
        {
            rows.Add(row);
        }

        return rows;
    }
}

/// <summary>
/// The labels our dataset builder reads from the stored FHIR data agree, example by example, with the synthetic
/// generator's own ground truth; patients never straddle the split.
/// </summary>
public sealed class DatasetTests(SyntheticStoreFixture store) : IClassFixture<SyntheticStoreFixture>
{
    private static bool? Label(string text) => text switch { "1" => true, "0" => false, _ => null };

    [Fact]
    public async Task Readmission_index_discharges_and_labels_match_the_ground_truth()
    {
        var truth = File.ReadLines(Path.Combine(store.GroundTruth, "readmission.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[1], f => (Patient: f[0], Discharge: DateTimeOffset.Parse(f[2], CultureInfo.InvariantCulture), Label: Label(f[4]), Readmission: f[5]));
        var rows = await store.DatasetAsync(RiskCatalog.Readmission);

        Assert.True(truth.Count > 150, $"only {truth.Count} index discharges generated");
        Assert.Equal(truth.Keys.Order(StringComparer.Ordinal), rows.Select(r => r.EncounterId).Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            var expected = truth[row.EncounterId];
            Assert.Equal((expected.Patient, expected.Discharge), (row.PatientId, row.Instant));
            Assert.True(expected.Label == row.Label, $"encounter {row.EncounterId}: ground truth {expected.Label}, dataset {row.Label}");
            Assert.Equal(expected.Label == true ? expected.Readmission : null, row.Event);
            Assert.Equal(FeatureCatalog.Version, row.Features.CatalogVersion);
        }

        Assert.Contains(rows, r => r.Label == true);
        Assert.Contains(rows, r => r.Label is null);
        AssertSplitByPatient(rows);
    }

    [Fact]
    public async Task Complication_scoring_times_and_labels_match_the_ground_truth()
    {
        var truth = File.ReadLines(Path.Combine(store.GroundTruth, "complication.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(
                f => (f[1], DateTimeOffset.Parse(f[2], CultureInfo.InvariantCulture)),
                f => (Label: Label(f[4]), Type: f[5], At: f[6].Length > 0 ? DateTimeOffset.Parse(f[6], CultureInfo.InvariantCulture) : (DateTimeOffset?)null));
        var rows = await store.DatasetAsync(RiskCatalog.Complication);

        Assert.Equal(truth.Keys.Order(), rows.Select(r => (r.EncounterId, r.Instant)).Order());
        var mismatches = new List<string>();
        foreach (var row in rows)
        {
            var expected = truth[(row.EncounterId, row.Instant)];
            // The generator labels a window that reaches past the data when its event is seen; we censor such windows.
            var expectedLabel = row.Instant + TimeSpan.FromHours(48) > store.AsOf ? null : expected.Label;
            if (expectedLabel != row.Label || (row.Label == true && expected.Type != row.Event))
            {
                mismatches.Add($"{row.EncounterId} at {row.Instant:O}: truth {expected.Label} {expected.Type} at {expected.At:O}, dataset {row.Label} {row.Event}");
            }
        }

        // The generator times an ICU transfer at the deterioration, the record at the ICU bed (20-90 minutes later):
        // only a window ending in that gap may disagree.
        Assert.All(mismatches, m => Assert.Contains("icu-transfer", m, StringComparison.Ordinal));
        Assert.True(mismatches.Count <= rows.Count / 200, string.Join("\n", mismatches));
        Assert.Contains(rows, r => r.Label == true && r.Event == "cardiac-arrest");
        Assert.Contains(rows, r => r.Label == true && r.Event == "icu-transfer");
        AssertSplitByPatient(rows);
    }

    [Fact]
    public async Task The_card_reports_the_oracle_beside_the_published_scores_with_the_paired_difference()
    {
        var oracle = File.ReadLines(Path.Combine(store.GroundTruth, "readmission.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => (f[1], DateTimeOffset.Parse(f[2], CultureInfo.InvariantCulture)), f => double.Parse(f[3], CultureInfo.InvariantCulture));
        var rows = await store.DatasetAsync(RiskCatalog.Readmission);

        var trained = ModelTrainer.Train(RiskCatalog.Readmission, rows, 11, "0.0.1-oracle", "test population", oracle, trees: 20, leaves: 8);

        // The oracle's AUROC on the test rows, counted pair by pair here; the model's from its own test predictions.
        var test = rows.Where(r => r.Label is not null && r.IsTest).ToList();
        static double Auroc(IReadOnlyList<(double Score, bool Outcome)> scored)
        {
            var cases = scored.Where(s => s.Outcome).Select(s => s.Score).ToList();
            var controls = scored.Where(s => !s.Outcome).Select(s => s.Score).ToList();
            return cases.Sum(c => controls.Sum(n => c > n ? 1.0 : c == n ? 0.5 : 0)) / (cases.Count * (double)controls.Count);
        }

        var expected = Auroc([.. test.Select(r => (oracle[(r.EncounterId, r.Instant)], r.Label == true))]);
        var model = Auroc([.. trained.TestPredictions.Select(p => (p.Probability, p.Outcome))]);
        var card = trained.Card;
        Assert.NotNull(card.Oracle);
        Assert.Equal(ModelTrainer.OracleName, card.Oracle.Name);
        Assert.Equal(expected, card.Oracle.Auroc.Value, 9);
        Assert.Equal(expected, card.OracleAuroc!.Value, 9);
        Assert.InRange(card.Oracle.Auroc.Value, card.Oracle.Auroc.Low, card.Oracle.Auroc.High);
        Assert.Equal(model - expected, card.Oracle.ModelMinusBaseline.Value, 9);
        Assert.True(card.Oracle.ModelMinusBaseline.Low < card.Oracle.ModelMinusBaseline.High);
        Assert.Contains($"the oracle (the simulator's own true probability, which knows what no record holds) {expected:0.000}, model − oracle", card.Warning, StringComparison.Ordinal);
        var report = EvaluationReport.Markdown(card);
        Assert.Contains("| model − oracle AUROC (paired) |", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("readmission")]
    [InlineData("complication")]
    public async Task Training_exports_an_ONNX_model_that_ONNX_Runtime_scores_as_ML_NET_does_reproducibly_with_a_matching_card(string risk)
    {
        var kind = RiskCatalog.Default.Get(risk);
        var rows = await store.DatasetAsync(kind);

        var first = ModelTrainer.Train(kind, rows, 11, "0.0.1-test", "test population", oracle: null);
        var again = ModelTrainer.Train(kind, rows, 11, "0.0.1-test", "test population", oracle: null);

        Assert.Equal(first.Onnx, again.Onnx);
        Assert.True(first.MaxOnnxDifference < 1e-4, $"ONNX Runtime and ML.NET differ by {first.MaxOnnxDifference}");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(first.Onnx)), first.Card.Sha256);
        Assert.Equal(FeatureCatalog.Features.Select(f => f.Name), first.Card.Features.Select(f => f.Name));
        Assert.Equal(FeatureCatalog.Version, first.Card.FeatureCatalogVersion);
        Assert.InRange(first.Card.Test.Auroc.Value, 0.55, 1.0);
        Assert.InRange(first.Card.Test.Auroc.Value, first.Card.Test.Auroc.Low, first.Card.Test.Auroc.High);
        Assert.Equal(kind == RiskCatalog.Readmission ? ["HOSPITAL", "LACE"] : ["NEWS2"], first.Card.Baselines.Select(b => b.Name).Order());
        // Every baseline's paired difference is the model's AUROC minus the baseline's, on the same rows.
        Assert.All(first.Card.Baselines, b => Assert.Equal(first.Card.Test.Auroc.Value - b.Auroc.Value, b.ModelMinusBaseline.Value, 12));
        Assert.Equal(10, first.Card.Test.CalibrationCurve.Count);
        Assert.Equal(first.Card.Test.Rows, first.Card.Test.CalibrationCurve.Sum(b => b.Rows));
        Assert.Equal(["moderate", "high"], first.Card.Test.AtTiers.Select(t => t.Tier));
        Assert.Equal(first.Card.Tiers.High, first.Card.Test.AtTiers[1].Threshold);
        Assert.Contains(first.Card.Subgroups, g => g.Group == "female");
        // The synthetic patients carry the US Core race extension: every test row is in exactly one race group.
        var testRows = rows.Count(r => r.Label is not null && r.IsTest);
        Assert.Equal(testRows, first.Card.Subgroups.Where(g => g.Group.StartsWith("race: ", StringComparison.Ordinal)).Sum(g => g.Rows));
        Assert.All(rows, r => Assert.NotNull(r.Race));
        Assert.True(first.Card.Tiers.Moderate <= first.Card.Tiers.High);
        Assert.All(first.TestPredictions, p => Assert.InRange(p.Probability, 0.0, 1.0));

        // The runtime loads the package, checks it against its card and scores as training evaluated.
        var folder = Directory.CreateTempSubdirectory("clinicalcds-model-");
        try
        {
            await new ModelPackage(first.Card, first.Onnx, first.Trees, first.Dependence).WriteAsync(folder.FullName);
            var (model, error) = OnnxModelRegistry.Load(folder.FullName);
            Assert.True(model is not null, error);
            using (model)
            {
                var test = rows.Where(r => r.Label is not null && r.IsTest).Select(r => r.Features).ToList();
                var probabilities = model.Predict(test);
                Assert.Equal(first.TestPredictions.Count, probabilities.Count);
                Assert.All(probabilities.Zip(first.TestPredictions), p => Assert.Equal(p.Second.Probability, p.First, 4));
                Assert.Single(model.Predict([test[0]]));

                // Explanations add up, in calibrated log-odds, to the probability the runtime serves.
                foreach (var (assessment, probability) in model.Assess([.. test.Take(500)]).Zip(probabilities))
                {
                    Assert.Equal(Math.Log(probability / (1 - probability)), assessment.BaseValue + assessment.Contributions.Sum(), 1e-4);
                }
            }

            var tampered = first.Onnx.ToArray();
            tampered[^1] ^= 0xFF;
            await File.WriteAllBytesAsync(Path.Combine(folder.FullName, ModelPackage.OnnxFile), tampered);
            Assert.Contains("sha256", OnnxModelRegistry.Load(folder.FullName).Error, StringComparison.Ordinal);

            var wrongCard = first.Card with { Features = first.Card.Features.Skip(1).ToList() };
            await new ModelPackage(wrongCard, first.Onnx, first.Trees, first.Dependence).WriteAsync(folder.FullName);
            Assert.Contains("catalog", OnnxModelRegistry.Load(folder.FullName).Error, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TreeSHAP_contributions_add_up_to_the_models_raw_score_on_every_test_row()
    {
        var rows = await store.DatasetAsync(RiskCatalog.Complication);
        var result = ModelTrainer.Train(RiskCatalog.Complication, rows, 11, "0.0.1-test", "test population", oracle: null);
        var marginal = ModelInference.References(result.Card);
        var test = rows.Where(r => r.Label is not null && r.IsTest).Select(r => MissingInputs.AsModelInput(r.Features.Values)).ToList();

        Assert.True(test.Count > 1000, $"only {test.Count} rows");
        Assert.Contains(test, x => x.Any(v => v is null));
        for (var i = 0; i < test.Count; i++)
        {
            // The served raw score: the trees' own for a complete row (ONNX Runtime agrees), averaged over the plausible
            // values of its missing inputs given the recorded ones otherwise; the contributions add up to it from the expected value.
            var x = test[i];
            var reference = ModelInference.ReferenceFor(x, marginal, result.Dependence);
            var served = x.All(v => v is not null) ? result.Trees.Predict([.. x.Select(v => v!.Value)]) : result.Trees.PredictWithMissing(x, reference);
            Assert.Equal(result.TestScores[i], served, 1e-4);
            var phi = TreeShap.Contributions(result.Trees, x, reference, FeatureCatalog.Features.Count);
            Assert.Equal(served, result.Trees.ExpectedValue(x, reference) + phi.Sum(), 1e-6);
            Assert.All(Enumerable.Range(0, x.Length).Where(j => x[j] is null), j => Assert.Equal(0, phi[j]));
        }
    }

    [Fact]
    public async Task TreeSHAP_equals_brute_force_Shapley_values_on_a_small_model()
    {
        var rows = await store.DatasetAsync(RiskCatalog.Readmission);
        var trained = ModelTrainer.Train(RiskCatalog.Readmission, rows, 3, "0.0.1-small", "test population", oracle: null, trees: 3, leaves: 4);
        var small = trained.Trees;
        var reference = ModelInference.References(trained.Card);
        var used = small.Trees.SelectMany(t => t.Feature).Distinct().ToArray();
        Assert.InRange(used.Length, 2, 9);
        var width = FeatureCatalog.Features.Count;

        foreach (var row in rows.Where(r => r.Label is not null).Take(25))
        {
            var x = Array.ConvertAll(MissingInputs.Completions(row.Features.Values, reference.Values)[0], v => (double)v);
            var phi = TreeShap.Contributions(small, x, width);
            var brute = BruteForceShapley(small, x, used);
            for (var f = 0; f < width; f++)
            {
                Assert.Equal(brute.GetValueOrDefault(f), phi[f], 9);
            }
        }
    }

    /// <summary>Shapley values by definition over every coalition of the used features, v(S) = E[f(x) | x_S] by tree cover.</summary>
    private static Dictionary<int, double> BruteForceShapley(TreeEnsemble ensemble, double[] x, int[] features)
    {
        double Value(HashSet<int> known) => ensemble.Bias + ensemble.Trees.Sum(t => t.Weight * Expect(t, 0, x, known));
        static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
        var m = features.Length;
        var phi = new Dictionary<int, double>();
        for (var i = 0; i < m; i++)
        {
            var others = features.Where((_, k) => k != i).ToArray();
            double total = 0;
            for (var mask = 0; mask < 1 << others.Length; mask++)
            {
                var coalition = others.Where((_, k) => (mask & (1 << k)) != 0).ToHashSet();
                var weight = Factorial(coalition.Count) * Factorial(m - coalition.Count - 1) / Factorial(m);
                var without = Value(coalition);
                coalition.Add(features[i]);
                total += weight * (Value(coalition) - without);
            }

            phi[features[i]] = total;
        }

        return phi;
    }

    private static double Expect(RegressionTree tree, int node, double[] x, HashSet<int> known)
    {
        if (tree.Feature.Length == 0)
        {
            return tree.LeafValue[0];
        }

        if (node < 0)
        {
            return tree.LeafValue[~node];
        }

        var (left, right) = (tree.Left[node], tree.Right[node]);
        if (known.Contains(tree.Feature[node]))
        {
            return Expect(tree, x[tree.Feature[node]] <= tree.Threshold[node] ? left : right, x, known);
        }

        double Cover(int n) => n < 0 ? tree.LeafCover[~n] : tree.NodeCover[n];
        return ((Cover(left) * Expect(tree, left, x, known)) + (Cover(right) * Expect(tree, right, x, known))) / tree.NodeCover[node];
    }

    private static void AssertSplitByPatient(List<DatasetRow> rows)
    {
        Assert.DoesNotContain(rows.GroupBy(r => r.PatientId), g => g.Select(r => r.IsTest).Distinct().Count() > 1);
        var testShare = rows.Select(r => (r.PatientId, r.IsTest)).Distinct().Average(p => p.IsTest ? 1.0 : 0.0);
        Assert.InRange(testShare, 0.12, 0.28);
    }
}
