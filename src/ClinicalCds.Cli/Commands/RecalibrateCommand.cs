using System.CommandLine;
using System.Globalization;
using System.Text;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Infrastructure.Models;
using ClinicalCds.Training;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds recalibrate --model M --version V --data LABEL [--method logistic|isotonic] [--as-of T] [--completions shipped|local]:
/// the served model's calibration refitted on this store's labelled outcomes (<see cref="Recalibration"/>) — with
/// --completions local, after each input's distribution is refitted on its charts (<see cref="InputDependence.WithLocalMarginals"/>)
/// and the stated range's margins fitted there (<see cref="RangeCalibration"/>) — written as version V beside it, same trees and explanations, sealed, where it enters as the candidate, scored in
/// shadow until promoted.
/// </summary>
internal static class RecalibrateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The risk whose served model is recalibrated: readmission, complication (or another known risk).", Required = true };
        var version = new Option<string>("--version") { Description = "The new version's label (a folder beside the served one; it must not exist).", Required = true };
        var data = new Option<string>("--data") { Description = "What the store holds, for the card (e.g. \"St Elsewhere discharges 2025\").", Required = true };
        var method = new Option<string>("--method")
        {
            Description = $"The calibration refitted: logistic (Platt, as training calibrates) or isotonic (a monotone curve; needs {Recalibration.IsotonicMinimumEvents} events and as many without).",
            DefaultValueFactory = _ => Recalibration.Logistic,
        };
        method.AcceptOnlyFromAmong([.. Recalibration.Methods]);
        var asOf = new Option<string?>("--as-of") { Description = "End of the data (ISO 8601); default now. Targets whose outcome window passes it are left out." };
        var completions = new Option<string>("--completions")
        {
            Description = "How missing inputs are completed: shipped (the training population's distributions) or local (each input's distribution refitted on this store's charts, how inputs vary together kept, and the stated range moved to hold 8 in 10 of them).",
            DefaultValueFactory = _ => "shipped",
        };
        completions.AcceptOnlyFromAmong("shipped", "local");
        var command = new Command("recalibrate", "Refit the served model's calibration (and, with --completions local, how it completes missing inputs) on this store's data and write it as a new version (the candidate).")
        {
            model, version, data, method, asOf, completions,
        };
        command.SetAction((parse, ct) => Run(
            parse.GetValue(model)!, parse.GetValue(version)!, parse.GetValue(data)!, parse.GetValue(method)!, parse.GetValue(asOf), parse.GetValue(completions) == "local", ct));
        return command;
    }

    private static async Task<int> Run(string model, string version, string data, string method, string? asOfText, bool localCompletions, CancellationToken ct)
    {
        if (!CliArguments.TryInstant(asOfText, DateTimeOffset.UtcNow, out var asOf))
        {
            return 2;
        }

        if (string.IsNullOrWhiteSpace(data) || string.IsNullOrWhiteSpace(version) || version.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || version.Contains("..", StringComparison.Ordinal))
        {
            AnsiConsole.MarkupLine("[red]error:[/] --data must say what the store holds and --version must be a plain version label (e.g. 0.7.1).");
            return 2;
        }

        return await CliHost.RunAsync(async services =>
        {
            if (!CliArguments.TryModel(model, services.GetRequiredService<RiskCatalog>(), out var risk))
            {
                return 2;
            }

            if (services.GetRequiredService<IRiskModels>().Find(risk.Name) is not OnnxRiskModel served)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] no {risk.Name} model is loaded from the models folder; nothing to recalibrate.");
                return 2;
            }

            var folder = Path.Combine(Path.GetDirectoryName(served.Folder)!, version);
            if (Directory.Exists(folder))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {folder} exists: a version is never overwritten; choose another --version.");
                return 2;
            }

            // Every target, labelled or not: a distribution of the inputs needs no outcome; the calibration is fitted on the labelled.
            var all = new List<DatasetRow>();
            await foreach (var row in services.GetRequiredService<IMediator>().CreateStream(new BuildDatasetQuery(risk, asOf!.Value, 0), ct))
            {
                all.Add(row);
            }

            var rows = all.Where(r => r.Label is not null).ToList();
            var card = served.Card;
            var references = ModelInference.References(card);
            var scores = ModelInference.RawScores([.. rows.Select(r => r.Features.Values)], references, served.Trees, served.RawScores, served.Dependence);
            var dependence = served.Dependence;
            double[]? localScores = null;
            if (localCompletions)
            {
                if (dependence is null)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {risk.Name} {card.Version} has no {ModelPackage.DependenceFile}: it completes missing inputs independently, and there are no distributions to refit.");
                    return 2;
                }

                dependence = RangeCalibration.WithMargins(served, dependence.WithLocalMarginals([.. all.Select(r => r.Features.Values)]), [.. all.Select(r => (r.PatientId, r.Features))]);
                localScores = ModelInference.RawScores([.. rows.Select(r => r.Features.Values)], references, served.Trees, served.RawScores, dependence);
            }

            var result = Recalibration.Recalibrate(risk, card, rows, scores, data, asOf.Value, version, DateTimeOffset.UtcNow, localScores, method);
            if (result.Card is not { Recalibration: { } record } recalibrated)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {result.Error}");
                return 1;
            }

            var (package, error) = ModelPackage.Read(served.Folder, services.GetRequiredService<RiskCatalog>());
            if (package is null)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] cannot read {served.Folder}: {error}");
                return 1;
            }

            var report = Report(recalibrated, record);
            if (localCompletions)
            {
                // What refitting the completions does to the stated range on these charts, measured honestly (patient folds).
                var text = new StringBuilder(report);
                var charts = all.Select(r => (r.PatientId, r.Features)).ToList();
                EvaluationReport.Coverage(text, RangeCoverage.Measure(served, charts), RangeCoverage.MeasureWithLocalCompletions(served, charts));
                EvaluationReport.Margins(text, dependence!.Margins);
                report = text.ToString();
            }

            await (package with { Card = recalibrated, Dependence = dependence }).WriteAsync(folder, new Dictionary<string, string> { ["recalibration.md"] = report }, ct);
            Console.Out.Write(report);
            if (result.Warning is { } warning)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
            }

            AnsiConsole.MarkupLineInterpolated(
                $"Wrote {risk.Name} {version} to {folder}: it is the candidate, scored in shadow beside {card.Version}; promote it with `clinicalcds models promote {risk.Name} {version} --by NAME --reason WHY`.");
            return 0;
        });
    }

    private static string Report(ModelCard card, CardRecalibration r)
    {
        static string Row(string name, CardMetrics m) => string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {m.Auroc.Show("F3")} | {m.CalibrationInTheLarge.Show("F2")} | {m.CalibrationSlope.Show("F2")} | {m.Brier.Show("F4")} | {m.ExpectedCalibrationError.Show("F3")} |\n");
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {card.Name} {card.Version}: recalibrated from {r.FromVersion}\n\n{r.Note}\n\n");
        text.Append(card.Calibration.Knots is { } knots
            ? string.Create(CultureInfo.InvariantCulture, $"Isotonic map of {knots.Count} knots, from {knots[0].Probability:P1} at score {knots[0].Score:F3} to {knots[^1].Probability:P1} at {knots[^1].Score:F3} (the logistic fit on the same data: intercept {card.Calibration.Intercept:F4}, slope {card.Calibration.Slope:F4}). {r.Before.Method}\n\n")
            : string.Create(CultureInfo.InvariantCulture, $"Intercept {card.Calibration.Intercept:F4}, slope {card.Calibration.Slope:F4}. {r.Before.Method}\n\n"));
        text.Append("| calibration | AUROC | calibration-in-the-large | calibration slope | Brier | ECE |\n|---|---:|---:|---:|---:|---:|\n");
        text.Append(Row($"before ({r.FromVersion})", r.Before));
        text.Append(Row("after, in sample (optimistic)", r.After));
        text.Append(r.CrossValidated is { } cv ? Row($"after, cross-validated ({Recalibration.Folds} patient folds)", cv) : $"| after, cross-validated | not estimable: a fold left too few events to fit on | | | | |\n");
        text.Append(CultureInfo.InvariantCulture, $"\nThe cross-validated row pools the probabilities of {Recalibration.Folds} refits, each without one fold's patients: an AUROC below the model's own there is no loss of discrimination but refits that disagree — the calibration these data give is unstable.\n");
        return text.ToString();
    }
}
