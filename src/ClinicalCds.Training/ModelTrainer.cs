using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using System.Security.Cryptography;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Outcomes;
using ClinicalCds.Domain.Risks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Trainers.FastTree;

namespace ClinicalCds.Training;

/// <summary>A training row: a complete feature vector (missing inputs filled from their reference, <see cref="MissingInputs"/>) and the outcome.</summary>
public sealed class TrainingExample
{
    public float[] Features { get; set; } = [];
    public bool Label { get; set; }
}

/// <summary>The features alone: exporting from this shape gives the ONNX graph a single input, Features.</summary>
public sealed class FeaturesOnly
{
    public float[] Features { get; set; } = [];
}

public sealed class ScoredExample
{
    public float Score { get; set; }
}

/// <summary>
/// What training produced. <see cref="TestScores"/> are the test rows' raw outputs as the server computes them (missing
/// inputs averaged over their reference, by ONNX Runtime); <see cref="MaxOnnxDifference"/> compares ML.NET with ONNX
/// Runtime on the same complete rows.
/// </summary>
public sealed record TrainingResult(
    byte[] Onnx, ModelCard Card, IReadOnlyList<(double Probability, bool Outcome)> TestPredictions, double MaxOnnxDifference,
    Domain.Models.TreeEnsemble Trees, IReadOnlyList<double> TestScores, InputDependence Dependence);

/// <summary>
/// Gradient-boosted trees (ML.NET FastTree) on the train split, Platt calibration fitted on held-out train patients,
/// evaluation on the test split beside the published baselines, ONNX export verified against ONNX Runtime.
/// </summary>
public static class ModelTrainer
{
    public const string OnnxInput = "Features";
    public const string OnnxOutput = "Score.output";

    /// <summary>How the card says missing inputs are handled (ADR 0004).</summary>
    public const string MissingInputsMethod =
        "A missing input is averaged over its plausible values given the inputs that are recorded: 20 quantiles of its distribution conditional on them, " +
        "from a Gaussian copula of the training rows (each input's 100 quantiles and the correlation of their normal scores, dependence.json; ADR 0009), " +
        "not conditioned on the vital-sign inputs the model is monotone in, so a worse vital sign never lowers the risk through a completion. " +
        "The trees' raw output is the mean over every combination of the missing inputs' conditional values, computed exactly by following both branches of " +
        "a split on a missing input by the share of its values on each side, then calibrated; complete rows are scored by ONNX Runtime. The plausible range " +
        "is the narrowest range of order statistics holding 80 % of a further draw (the 10th to 91st when the distribution is symmetric) over 100 joint draws of the missing inputs from their conditional distribution. Training rows had each missing input " +
        "filled with one training reference value drawn at random.";

    public static TrainingResult Train(
        RiskDefinition risk, IReadOnlyList<DatasetRow> rows, ulong seed, string version, string trainingData, IReadOnlyDictionary<(string, DateTimeOffset), double>? oracle,
        IProgress<string>? progress = null, int trees = 150, int leaves = 8)
    {
        var labeled = rows.Where(r => r.Label is not null).ToList();
        var test = labeled.Where(r => r.IsTest).ToList();
        var train = labeled.Where(r => !r.IsTest).ToList();
        // Calibration is fitted on patients the trees never saw: a fifth of the training patients, by another hash.
        var calibration = train.Where(r => DatasetSplit.IsTest(r.PatientId, seed + 1, 0.2)).ToList();
        var fit = train.Except(calibration).ToList();
        if (fit.Count(r => r.Label == true) < 5 || test.Count(r => r.Label == true) < 2 || calibration.Count(r => r.Label == true) < 2)
        {
            throw new InvalidOperationException($"Too few labeled examples to train ({fit.Count} fit, {calibration.Count} calibration, {test.Count} test).");
        }

        var ml = new MLContext(seed: (int)(seed % int.MaxValue));
        var inputs = risk.Inputs;
        var width = inputs.Count;
        var schema = SchemaDefinition.Create(typeof(TrainingExample));
        schema[nameof(TrainingExample.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);

        // Reference values from the rows the trees learn from; every missing training input is one of them, drawn at random.
        var reference = Enumerable.Range(0, width)
            .Select(j => (IReadOnlyList<double>)MissingInputs.ReferenceOf([.. fit.Select(r => r.Features.Values[j]).OfType<double>()]))
            .ToList();
        var random = new Random((int)(seed % int.MaxValue));
        var fitExamples = fit.Select(r => new TrainingExample { Features = MissingInputs.Draw(r.Features.Values, reference, random), Label = r.Label == true }).ToList();

        var options = new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = trees,
            NumberOfLeaves = leaves,
            MinimumExampleCountPerLeaf = 50,
            LearningRate = 0.05,
            FeatureFraction = 1.0,
            Seed = (int)(seed % int.MaxValue),
            LabelColumnName = nameof(TrainingExample.Label),
            FeatureColumnName = nameof(TrainingExample.Features),
        };
        progress?.Report($"Training {options.NumberOfTrees} trees on {fit.Count:N0} examples ({fit.Count(r => r.Label == true):N0} positive)");
        var model = ml.BinaryClassification.Trainers.FastTree(options).Fit(ml.Data.LoadFromEnumerable(fitExamples, schema));

        // Monotone where physiology is (ADR 0007): the trees are projected so that no input that never lowers a risk (a
        // vital sign's derangement beyond NEWS2's normal band, reduced consciousness, oxygen) can lower the score, and the
        // projected trees are what ML.NET, the ONNX export and the explanations all use.
        var increasing = inputs.Features.Select((f, i) => (f, i)).Where(p => p.f.NeverLowersRisk).Select(p => p.i).ToHashSet();
        var trained = model.Model.SubModel.TrainedTreeEnsemble;
        var ensemble = MonotoneTrees.Project(TreeExport.From(trained, [.. fitExamples.Select(e => e.Features)]), increasing);
        FastTreeLeaves.Overwrite(trained, [.. ensemble.Trees.Select(t => t.LeafValue)]);

        progress?.Report("Exporting to ONNX and checking it against ML.NET and the projected trees");
        byte[] onnx;
        using (var stream = new MemoryStream())
        {
            var exportSchema = SchemaDefinition.Create(typeof(FeaturesOnly));
            exportSchema[nameof(FeaturesOnly.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
            var featuresOnly = ml.Data.LoadFromEnumerable(fitExamples.Take(1).Select(e => new FeaturesOnly { Features = e.Features }), exportSchema);
            ml.Model.ConvertToOnnx(model, featuresOnly, stream);
            onnx = stream.ToArray();
        }

        Infrastructure.Models.OnnxRuntimeTelemetry.Disable();
        using var session = new InferenceSession(onnx);
        double[] OnnxRaw(IReadOnlyList<float[]> data) => OnnxScores(session, data, width);
        var checkRows = test.Take(5000).Select(r => MissingInputs.Draw(r.Features.Values, reference, random)).ToList();
        var mlNetScores = ml.Data.CreateEnumerable<ScoredExample>(
                model.Transform(ml.Data.LoadFromEnumerable(checkRows.Select(f => new TrainingExample { Features = f }), schema)), reuseRowObject: false)
            .Select(e => (double)e.Score).ToArray();
        var onnxCheck = OnnxRaw(checkRows);
        var maxDifference = onnxCheck.Zip(mlNetScores, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max();
        var treesDifference = onnxCheck.Select((score, i) => Math.Abs(score - ensemble.Predict(Array.ConvertAll(checkRows[i], v => (double)v)))).DefaultIfEmpty(0).Max();
        if (treesDifference > 1e-3 || !MonotoneTrees.IsMonotone(ensemble, increasing))
        {
            throw new InvalidOperationException($"The exported model is not the projected monotone trees (largest difference {treesDifference:G3}).");
        }

        // Calibration and evaluation score rows exactly as the server will (ModelInference): complete rows by ONNX Runtime,
        // rows with missing inputs by the trees, averaged over the reference values.
        // How the inputs vary together (ADR 0009): a missing input is completed given the recorded ones.
        progress?.Report("Estimating how the inputs vary together (Gaussian copula of the training rows)");
        var dependence = InputDependence.Fit([.. fit.Select(r => (IReadOnlyList<double?>)MissingInputs.AsModelInput(r.Features.Values))], width, increasing);
        var inputReference = new Domain.Models.InputReference(reference);
        double[] Scores(IReadOnlyList<DatasetRow> data) => ModelInference.RawScores([.. data.Select(r => r.Features.Values)], inputReference, ensemble, OnnxRaw, dependence);

        progress?.Report($"Calibrating on {calibration.Count:N0} held-out examples");
        var (intercept, slope) = LogisticFit.Fit(Scores(calibration), calibration.Select(r => r.Label == true).ToList());
        if (slope <= 0)
        {
            // A calibration that turns a higher score into a lower risk would undo the monotone trees (and mean the trees learned nothing).
            throw new InvalidOperationException($"The calibration slope on held-out patients is {slope:G3}: the trees do not rank these patients.");
        }

        var testScores = Scores(test);
        var probabilities = testScores.Select(s => Logistic.Sigmoid(intercept + (slope * s))).ToList();
        var outcomes = test.Select(r => r.Label == true).ToList();

        // Tiers are chosen where the calibration was fitted (held-out training patients, the validation split) and only
        // reported on the test split: thresholds read off the test split would flatter the rates reported there.
        var validation = Scores(calibration).Select(s => Logistic.Sigmoid(intercept + (slope * s))).Order().ToList();
        var tiers = new CardTiers(
            validation[(int)(0.7 * (validation.Count - 1))], validation[(int)(0.9 * (validation.Count - 1))],
            "Moderate from the 70th and high from the 90th percentile of calibrated risk on the validation split (held-out training patients).");

        progress?.Report($"Evaluating on the test split ({ModelEvaluation.Resamples:N0} patient-level bootstrap resamples)");
        var evaluation = ModelEvaluation.Evaluate(EvaluatedRows(risk, test, probabilities), [.. risk.Baselines.Select(b => b.Name)], tiers);
        var oracleBaseline = oracle is null ? null : OracleBaseline(test, probabilities, oracle, tiers);

        var card = new ModelCard(
            risk.Name,
            version,
            risk.IntendedUse,
            risk.OutcomeDefinition,
            inputs.Version,
            OnnxInput,
            OnnxOutput,
            MissingInputsMethod,
            inputs.Features.Select((f, i) => Describe(f, i, fit, reference[i])).ToList(),
            trainingData,
            new Dictionary<string, object>
            {
                ["trainer"] = "ML.NET FastTree binary", ["trees"] = options.NumberOfTrees, ["leaves"] = options.NumberOfLeaves,
                ["minExamplesPerLeaf"] = options.MinimumExampleCountPerLeaf, ["learningRate"] = options.LearningRate, ["seed"] = seed,
                ["fitRows"] = fit.Count, ["calibrationRows"] = calibration.Count,
                ["monotoneNonDecreasingIn"] = string.Join(", ", increasing.Order().Select(i => inputs.Features[i].Name)),
            },
            new CardCalibration(CardCalibration.Platt, intercept, slope, "probability = 1 / (1 + exp(-(intercept + slope * Score.output))), fitted on held-out training patients"),
            evaluation.Metrics,
            evaluation.Baselines,
            oracleBaseline?.Auroc.Value,
            evaluation.Subgroups,
            tiers,
            Convert.ToHexStringLower(SHA256.HashData(onnx)),
            $"{Warning} {SyntheticMargins(evaluation.Metrics.Auroc, evaluation.Baselines, oracleBaseline)}",
            Oracle: oracleBaseline);
        // Whether the stated range holds on the test split, for each way charts miss inputs (issue 31 item 2).
        progress?.Report("Checking the stated plausible range against the test split's charts with inputs removed");
        card = card with { RangeCoverage = RangeCoverage.Measure(new TrainedModel(card, ensemble, dependence, OnnxRaw), [.. test.Select(r => (r.PatientId, r.Features))]) };
        return new TrainingResult(onnx, card, probabilities.Zip(outcomes).ToList(), maxDifference, ensemble, testScores, dependence);
    }

    /// <summary>The model just trained, served as the registry will serve it (for checks before it is written).</summary>
    private sealed class TrainedModel(ModelCard card, Domain.Models.TreeEnsemble trees, InputDependence dependence, Func<IReadOnlyList<float[]>, double[]> onnx) : IRiskModel
    {
        public ModelCard Card => card;

        public Domain.Models.TreeEnsemble Trees => trees;

        public InputDependence? Dependence => dependence;

        public double[] RawScores(IReadOnlyList<float[]> rows) => onnx(rows);
    }

    /// <summary>Raw outputs of complete rows by ONNX Runtime from the exported graph (the runtime the server uses).</summary>
    private static double[] OnnxScores(InferenceSession session, IReadOnlyList<float[]> rows, int width)
    {
        var scores = new double[rows.Count];
        const int Batch = 65536;
        for (var start = 0; start < rows.Count; start += Batch)
        {
            var count = Math.Min(Batch, rows.Count - start);
            var data = new float[count * width];
            for (var i = 0; i < count; i++)
            {
                rows[start + i].CopyTo(data, i * width);
            }

            using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxInput, new DenseTensor<float>(data, [count, width]))]);
            var next = start;
            foreach (var value in results.First(r => r.Name == OnnxOutput).AsEnumerable<float>())
            {
                scores[next++] = value;
            }
        }

        return scores;
    }

    /// <summary>
    /// The simulator's own true probability as a score on the test rows it knows (all of them on a synthetic population):
    /// its AUROC and the paired difference model − oracle from the same patient-level resamples as every other estimate.
    /// </summary>
    private static CardBaseline? OracleBaseline(
        IReadOnlyList<DatasetRow> test, IReadOnlyList<double> probabilities, IReadOnlyDictionary<(string, DateTimeOffset), double> oracle, CardTiers tiers)
    {
        var joined = test.Select((r, i) => (Row: r, Probability: probabilities[i]))
            .Where(x => oracle.ContainsKey((x.Row.EncounterId, x.Row.Instant)))
            .Select(x => new EvaluatedRow(x.Row.PatientId, x.Probability, x.Row.Label == true, [oracle[(x.Row.EncounterId, x.Row.Instant)]], []))
            .ToList();
        return joined.Count == 0 || joined.All(r => r.Outcome) || !joined.Any(r => r.Outcome)
            ? null
            : ModelEvaluation.Evaluate(joined, [OracleName], tiers).Baselines[0];
    }

    /// <summary>How a card names the simulator's true probability.</summary>
    public const string OracleName = "oracle";

    private static CardFeature Describe(FeatureDefinition feature, int index, IReadOnlyList<DatasetRow> rows, IReadOnlyList<double> reference)
    {
        var values = rows.Select(r => r.Features.Values[index]).ToList();
        var present = values.OfType<double>().ToList();
        var mean = present.Count == 0 ? 0 : present.Average();
        var sd = present.Count < 2 ? 0 : Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / (present.Count - 1));
        return new CardFeature(feature.Name, feature.Unit, feature.Definition, mean, sd, 1 - (present.Count / (double)Math.Max(1, values.Count)), reference);
    }

    /// <summary>What every card says about itself until a hospital has validated it on its own patients.</summary>
    public const string Warning =
        "Not clinically validated. Results on synthetic data describe the synthetic generator, not clinical performance, and are no evidence " +
        "that the model helps patients; validate it on your own patients (clinicalcds evaluate) before clinical use.";

    /// <summary>
    /// How much the model beats (or trails) each published baseline on this test split, said as what it is: a property of
    /// the data it was measured on — on synthetic data, of the simulator that drew the outcomes — not evidence for patients.
    /// </summary>
    public static string SyntheticMargins(CardEstimate auroc, IReadOnlyList<CardBaseline> baselines, CardBaseline? oracle = null) =>
        $"On its test split the model's AUROC is {auroc.Value:0.000}"
        + string.Concat(baselines.Select(b => $"; {b.Name} {b.Auroc.Value:0.000}, model − {b.Name} {Difference(b)}"))
        + (oracle is null ? string.Empty
            : $"; the oracle (the simulator's own true probability, which knows what no record holds) {oracle.Auroc.Value:0.000}, model − oracle {Difference(oracle)}")
        + ". On a synthetic population that margin is a property of the simulator — how strongly its hidden truth follows what the model's inputs can see beyond the published score — and says nothing of how the model compares with it on patients.";

    private static string Difference(CardBaseline b) =>
        $"{b.ModelMinusBaseline.Value:+0.000;-0.000} ({b.ModelMinusBaseline.Low:+0.000;-0.000} to {b.ModelMinusBaseline.High:+0.000;-0.000})";

    /// <summary>The rows of a split as the evaluation reads them, each with its subgroups: sex, age band, race and ethnicity where recorded.</summary>
    public static IReadOnlyList<EvaluatedRow> EvaluatedRows(RiskDefinition risk, IReadOnlyList<DatasetRow> rows, IReadOnlyList<double> probabilities)
    {
        var (female, age) = (risk.Inputs.IndexOf("Female"), risk.Inputs.IndexOf("AgeYears"));
        return rows.Select((r, i) => new EvaluatedRow(
            r.PatientId,
            probabilities[i],
            r.Label == true,
            [.. risk.Baselines.Select(b => (double)r.Baselines[b.Name])],
            [.. Groups(r)])).ToList();

        IEnumerable<string> Groups(DatasetRow r)
        {
            // Sex and age from the inputs when the risk has them (subgroups are reported only where they can be read).
            yield return Subgroups.Sex((female < 0 ? null : r.Features.Values[female]) switch { 1.0 => "female", 0.0 => "male", _ => null });
            yield return Subgroups.AgeBand(age < 0 ? null : r.Features.Values[age]);
            // Race and ethnicity where recorded (US Core OMB categories); rows without them are in no such group.
            if (r.Race is { } race)
            {
                yield return $"race: {race}";
            }

            if (r.Ethnicity is { } ethnicity)
            {
                yield return $"ethnicity: {ethnicity}";
            }
        }
    }
}
