using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Infrastructure.Models;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using System.CommandLine;
using System.Globalization;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Application.Training.BuildServingReference;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Training;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds train --model readmission|complication [--out DIR] [--version V] [--as-of T] [--seed S] [--oracle CSV]
/// [--trees N] [--leaves N]:
/// builds the dataset from the store, trains, calibrates, evaluates and writes model.onnx, model-card.json and
/// trees.json (for TreeSHAP), evaluation.md, roc.svg and calibration.svg into models/&lt;model&gt;/&lt;version&gt;/; the
/// card's features carry the serving reference input drift is judged against (the development patients' inputs at the
/// instants the nightly run, Scoring:Cron in Scoring:TimeZone, would score them).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The risk to train: readmission, complication (or another known risk).", Required = true };
        var output = new Option<string?>("--out") { Description = "Model folder; default models/<model>/<version>." };
        var version = new Option<string>("--version") { Description = "Model version.", DefaultValueFactory = _ => "1.0.0" };
        var asOf = new Option<string?>("--as-of") { Description = "End of the data (ISO 8601); default now." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the split and the trainer.", DefaultValueFactory = _ => 2026 };
        var oracle = new Option<string?>("--oracle") { Description = "Synthetic ground truth CSV (ground-truth/<model>.csv) for the oracle AUROC." };
        var trees = new Option<int>("--trees") { Description = "Number of boosted trees.", DefaultValueFactory = _ => 150 };
        var leaves = new Option<int>("--leaves") { Description = "Leaves per tree.", DefaultValueFactory = _ => 8 };
        var smallSample = new Option<bool>("--allow-small-sample") { Description = "Train even when the data are fewer than Riley 2020's minimum for this many predictors (the card then says so)." };
        var command = new Command("train", "Train, calibrate and evaluate a risk model on the store's data and write its ONNX file and model card.")
        {
            model, output, version, asOf, seed, oracle, trees, leaves, smallSample,
        };
        command.SetAction((parse, ct) => Run(
            parse.GetValue(model)!, parse.GetValue(output), parse.GetValue(version)!, parse.GetValue(asOf), parse.GetValue(seed), parse.GetValue(oracle),
            (parse.GetValue(trees), parse.GetValue(leaves)), parse.GetValue(smallSample), ct));
        return command;
    }

    private static async Task<int> Run(
        string model, string? output, string version, string? asOfText, ulong seed, string? oraclePath, (int Trees, int Leaves) shape, bool allowSmallSample, CancellationToken ct)
    {
        if (!CliArguments.TryInstant(asOfText, DateTimeOffset.UtcNow, out var asOf))
        {
            return 2;
        }

        if (shape.Trees < 1 || shape.Leaves < 2)
        {
            AnsiConsole.MarkupLine("[red]error:[/] --trees must be at least 1 and --leaves at least 2.");
            return 2;
        }

        var cutoff = asOf!.Value;

        if (oraclePath is not null && !File.Exists(oraclePath))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --oracle file not found: {oraclePath}");
            return 2;
        }

        return await CliHost.RunAsync(async services =>
        {
            if (!CliArguments.TryModel(model, services.GetRequiredService<RiskCatalog>(), out var risk))
            {
                return 2;
            }

            var name = risk.Name;
            var folder = output ?? Path.Combine("models", name, version);
            var mediator = services.GetRequiredService<IMediator>();
            var rows = new List<DatasetRow>();
            await AnsiConsole.Status().StartAsync("Building the dataset from the store", async status =>
            {
                await foreach (var row in mediator.CreateStream(new BuildDatasetQuery(risk, cutoff, seed), ct))
                {
                    rows.Add(row);
                    if (rows.Count % 1000 == 0)
                    {
                        status.Status($"Building the dataset from the store: {rows.Count:N0} examples");
                    }
                }
            });

            // Issue 32 item 4: enough development rows for this many candidate predictors (Riley et al. 2020), or a refusal.
            var development = rows.Where(r => r.Label is not null && !r.IsTest).ToList();
            var sample = SampleSize.Check(risk.Inputs.Count, development.Count, development.Count(r => r.Label == true));
            if (!sample.Met && !allowSmallSample)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {sample.Explanation} Import more data, or train anyway with --allow-small-sample (the card will say so).");
                return 2;
            }

            var patients = rows.Select(r => r.PatientId).Distinct().Count();
            var description = $"{rows.Count:N0} {name} examples of {patients:N0} patients from the ClinicalCds store, data up to {cutoff:yyyy-MM-dd}; " +
                $"{rows.Count(r => r.Label is null):N0} unlabeled (window past the data) left out; split by patient with seed {seed} (20% test).";
            TrainingResult result;
            try
            {
                result = AnsiConsole.Status().Start("Training", status => ModelTrainer.Train(
                    risk, rows, seed, version, description, oraclePath is null ? null : ReadOracle(oraclePath),
                    new InlineProgress<string>(message => status.Status(message)), shape.Trees, shape.Leaves));
            }
            catch (InvalidOperationException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                return 1;
            }

            if (!sample.Met)
            {
                result = result with { Card = result.Card with { Warning = $"{result.Card.Warning} Trained below the minimum sample: {sample.Explanation}" } };
                AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {sample.Explanation}");
            }

            // Issue 32 item 5: the inputs as nightly runs will see them, for input drift to be judged against.
            var scoring = services.GetRequiredService<ScoringOptions>();
            if (scoring.NightlyRunTime is not { } runTime)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] Scoring:Cron '{scoring.Cron}' is not one run a day ('minute hour * * *'): the serving reference needs the nightly run's time.");
                return 2;
            }

            var zone = scoring.Zone;
            var serving = await AnsiConsole.Status().StartAsync("Taking the serving reference: the inputs at nightly run instants", _ =>
                mediator.Send(new BuildServingReferenceQuery(risk, cutoff, runTime, zone, seed), ct).AsTask());
            result = result with
            {
                Card = result.Card with { Features = [.. result.Card.Features.Select((f, j) => f with { Serving = serving.Features[j] })] },
            };
            AnsiConsole.MarkupLineInterpolated(
                $"Serving reference: {serving.Targets:N0} targets a run at {runTime:HH:mm} ({scoring.TimeZone}) would score in the development patients.");

            await new ModelPackage(result.Card, result.Onnx, result.Trees, result.Dependence).WriteAsync(folder, new Dictionary<string, string>
            {
                ["evaluation.md"] = EvaluationReport.Markdown(result.Card),
                ["roc.svg"] = EvaluationPlots.RocSvg(result.TestPredictions, $"{name} {version}: ROC, test split"),
                ["calibration.svg"] = EvaluationPlots.CalibrationSvg(result.Card.Test.CalibrationCurve, $"{name} {version}: calibration, test split"),
            }, ct);
            var oracle = result.Card.OracleAuroc is { } o ? $"; oracle {o:F3}" : string.Empty;
            AnsiConsole.MarkupLineInterpolated(
                $"Wrote {folder}. Test split: {EvaluationReport.Summary(result.Card.Test, result.Card.Baselines)}{oracle}; ONNX Runtime vs ML.NET max |Δscore| {result.MaxOnnxDifference:E1}.");
            return 0;
        });
    }

    private static Dictionary<(string, DateTimeOffset), double> ReadOracle(string path) =>
        File.ReadLines(path).Skip(1).Select(l => l.Split(','))
            .ToDictionary(
                f => (f[1], DateTimeOffset.Parse(f[2], CultureInfo.InvariantCulture)),
                f => double.Parse(f[3], CultureInfo.InvariantCulture));
}
