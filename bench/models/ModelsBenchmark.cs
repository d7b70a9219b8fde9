using ClinicalCds.Domain.Models;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Infrastructure.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ClinicalCds.Bench.Models;

/// <summary>
/// bench/models: rows/s of the model runtime (calibrated probabilities through OnnxRiskModel) at batch 1 and 1024 beside
/// raw ONNX Runtime inference of the same graph and rows, and exact TreeSHAP explanations per second, in one run.
/// Rows are drawn from the model card's reference statistics (mean ± sd, missing at the card's rate).
/// </summary>
public static class ModelsBenchmark
{
    public static int Main(string[] args)
    {
        var folder = args.Length > 0 ? args[0] : throw new ArgumentException("Usage: bench/models/run.sh MODEL_FOLDER (made by clinicalcds train)");
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var (model, error) = OnnxModelRegistry.Load(folder);
        if (model is null)
        {
            Console.Error.WriteLine(error);
            return 1;
        }

        var card = model.Card;
        var trees = JsonSerializer.Deserialize<TreeEnsemble>(File.ReadAllText(Path.Combine(folder, "trees.json")), ModelCard.Json)!;
        var random = new Random(2026);
        var rows = Enumerable.Range(0, 4096).Select(_ => new FeatureVector(card.FeatureCatalogVersion, card.Features
            .Select(f => random.NextDouble() < f.MissingShare ? (double?)null : f.Mean + (f.StandardDeviation * ((random.NextDouble() * 2) - 1))).ToList())).ToList();
        var width = card.Features.Count;
        var reference = ModelInference.References(card);
        // The floor scores complete rows: each row's first completion (missing inputs at one reference value each).
        var dense = rows.Select(r => MissingInputs.Completions(r.Values, reference.Values)[0]).ToList();
        using var raw = new InferenceSession(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));

        double Rate(Func<int, int> work)
        {
            var done = 0;
            var i = 0;
            work(0);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                done += work(i++);
            }

            return done / clock.Elapsed.TotalSeconds;
        }

        int Raw(int start, int batch)
        {
            var data = new float[batch * width];
            for (var r = 0; r < batch; r++)
            {
                dense[(start + r) % dense.Count].CopyTo(data, r * width);
            }

            using var results = raw.Run([NamedOnnxValue.CreateFromTensor(card.OnnxInput, new DenseTensor<float>(data, [batch, width]))]);
            return results.First(r => r.Name == card.OnnxOutput).AsEnumerable<float>().Count();
        }

        var rawOne = Rate(i => Raw(i, 1));
        var oursOne = Rate(i => model.Predict([rows[i % rows.Count]]).Count);
        var batchRows = rows.Take(1024).ToList();
        var rawBatch = Rate(i => Raw(i * 1024, 1024));
        var oursBatch = Rate(_ => model.Predict(batchRows).Count);
        var explanations = Rate(i => TreeShap.Contributions(trees, Array.ConvertAll(dense[i % dense.Count], v => (double)v), width).Length > 0 ? 1 : 0);
        var assessments = Rate(i => model.Assess([rows[i % rows.Count]]).Count);
        // The same assessment with missing inputs completed as independent (ADR 0004) instead of given the recorded ones
        // (ADR 0009): what the conditional completion costs.
        var independent = new WithoutDependence(model);
        var independentAssessments = Rate(i => independent.Assess([rows[i % rows.Count]]).Count);
        var ranges = Rate(i => model.PlausibleRanges([rows[i % rows.Count]]).Count);
        if (model.Dependence is null)
        {
            Console.Error.WriteLine($"{folder} has no dependence.json: the conditional completion (ADR 0009) was not measured.");
            return 1;
        }
        // A package recalibrated on a hospital's charts carries the range's margins (ADR 0015): the same range, margins withheld.
        double? unmovedRanges = null;
        var withMargin = 0;
        if (model.Dependence.Margins is { } margins)
        {
            var unmoved = new RangeCoverage.CompletedWith(model, model.Dependence with { Margins = null });
            unmovedRanges = Rate(i => unmoved.PlausibleRanges([rows[i % rows.Count]]).Count);
            withMargin = rows.Take(1000).Count(r => margins.For(MissingInputs.AsModelInput(r.Values)) is not null);
            if (withMargin == 0)
            {
                Console.Error.WriteLine("The package carries margins but no bench row misses a whole panel: the margins (ADR 0015) were not measured.");
                return 1;
            }
        }

        var missingShare = rows.Average(r => r.Values.Count(v => v is null)) / width;
        // The normal-value bound (ADR 0010) is part of the full assessment: the bench must have walked it.
        var sampled = rows.Take(1000).ToList();
        var withNormalBound = model.Assess(sampled).Count(a => a.IfNormalLow is not null);
        if (withNormalBound == 0)
        {
            Console.Error.WriteLine("No assessed row had a lab or vital sign missing: the bound were they normal (ADR 0010) was not measured.");
            return 1;
        }

        Console.WriteLine($"{card.Name} {card.Version}: {trees.Trees.Count} trees, {width} features; {seconds:F0} s per measurement");
        Console.WriteLine();
        Console.WriteLine("| path | batch | rows/s |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| raw ONNX Runtime (floor) | 1 | {rawOne:N0} |");
        Console.WriteLine($"| model runtime (calibrated probability) | 1 | {oursOne:N0} |");
        Console.WriteLine($"| raw ONNX Runtime (floor) | 1024 | {rawBatch:N0} |");
        Console.WriteLine($"| model runtime (calibrated probability) | 1024 | {oursBatch:N0} |");
        Console.WriteLine($"| exact TreeSHAP explanation, one complete row | 1 | {explanations:N0} ({1000 / explanations:F3} ms each) |");
        Console.WriteLine($"| full assessment: probability, missing-input ranges, plausible range, TreeSHAP | 1 | {assessments:N0} ({1000 / assessments:F3} ms each) |");
        Console.WriteLine($"| same, missing inputs as independent (ADR 0004, no dependence.json) | 1 | {independentAssessments:N0} ({1000 / independentAssessments:F3} ms each) |");
        Console.WriteLine($"| probability and plausible range only (conditional completion, {ConditionalInputs.DrawCount} joint draws) | 1 | {ranges:N0} ({1000 / ranges:F3} ms each) |");
        if (unmovedRanges is { } u)
        {
            Console.WriteLine($"| same, the package's margins withheld (ADR 0015; {withMargin / 10.0:F1} % of rows have one) | 1 | {u:N0} ({1000 / u:F3} ms each) |");
        }

        Console.WriteLine();
        Console.WriteLine($"rows drawn with the card's missing shares: {missingShare:P1} of inputs missing on average, {rows.Count(r => r.Values.Any(v => v is null)) / (double)rows.Count:P0} of rows with any; " +
            "those are scored by the trees in C#, averaged exactly over the missing inputs' reference values (the floor scores complete rows); "
            + $"{withNormalBound / (double)sampled.Count:P0} of assessments with a lab or vital sign missing, so with the bound were they normal (ADR 0010)");
        Console.WriteLine();
        Console.WriteLine($"ratio raw / ours: batch 1 {rawOne / oursOne:F2}, batch 1024 {rawBatch / oursBatch:F2}; assessment given the recorded inputs / as independent: {independentAssessments / assessments:F2}× the time");
        model.Dispose();
        return 0;
    }

    /// <summary>The model with its inputs' dependence withheld: missing inputs completed as independent (ADR 0004).</summary>
    private sealed class WithoutDependence(OnnxRiskModel model) : Application.Abstractions.IRiskModel
    {
        public ModelCard Card => model.Card;

        public TreeEnsemble Trees => model.Trees;

        public double[] RawScores(IReadOnlyList<float[]> rows) => model.RawScores(rows);
    }
}
