using ClinicalCds.Application.Models.Evaluation;
using System.CommandLine;
using System.Text.Json;
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
/// clinicalcds evaluate --model M --data LABEL [--as-of T] [--out DIR] [--record]: the served model on every labeled
/// target of this store — patients it never saw, e.g. the hospital's own — evaluated as training evaluates its test split
/// (<see cref="ModelEvaluation"/>, at the card's tiers). Writes evaluation.md, evaluation.json, roc.svg and calibration.svg;
/// with --record the summary also goes into the model's card, where the models page and every reader of the card see it.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The risk whose served model is evaluated: readmission, complication (or another known risk).", Required = true };
        var data = new Option<string>("--data") { Description = "What the store holds, for the report and the card (e.g. \"MIMIC-IV demo 2.2, 100 patients\").", Required = true };
        var asOf = new Option<string?>("--as-of") { Description = "End of the data (ISO 8601); default now. Targets whose outcome window passes it are left out." };
        var output = new Option<string?>("--out") { Description = "Folder for the report; default evaluations/<model>-<version>-<date>." };
        var record = new Option<bool>("--record") { Description = "Also add the result to the model's card (model-card.json)." };
        var command = new Command("evaluate", "Evaluate the served model on this store's patients (external validation): discrimination, calibration, rates at the tiers, subgroups.")
        {
            model, data, asOf, output, record,
        };
        command.SetAction((parse, ct) => Run(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(asOf), parse.GetValue(output), parse.GetValue(record), ct));
        return command;
    }

    private static async Task<int> Run(string model, string data, string? asOfText, string? output, bool record, CancellationToken ct)
    {
        if (!CliArguments.TryInstant(asOfText, DateTimeOffset.UtcNow, out var asOf))
        {
            return 2;
        }

        if (string.IsNullOrWhiteSpace(data))
        {
            AnsiConsole.MarkupLine("[red]error:[/] --data must say what the store holds.");
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
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] no {risk.Name} model is loaded from the models folder; nothing to evaluate.");
                return 2;
            }

            var rows = new List<DatasetRow>();
            await foreach (var row in services.GetRequiredService<IMediator>().CreateStream(new BuildDatasetQuery(risk, asOf!.Value, 0), ct))
            {
                if (row.Label is not null)
                {
                    rows.Add(row);
                }
            }

            if (rows.Count(r => r.Label == true) < 2 || rows.Count(r => r.Label == false) < 2)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"[red]error:[/] {rows.Count:N0} labeled {risk.Name} targets ({rows.Count(r => r.Label == true):N0} with the outcome): too few to evaluate.");
                return 1;
            }

            var card = served.Card;
            var probabilities = served.Assess([.. rows.Select(r => r.Features)]).Select(a => a.Probability).ToList();
            var evaluation = ModelEvaluation.Evaluate(ModelTrainer.EvaluatedRows(risk, rows, probabilities), [.. risk.Baselines.Select(b => b.Name)], card.Tiers);
            var external = new CardExternalEvaluation(
                data, DateTimeOffset.UtcNow, evaluation.Metrics, evaluation.Baselines,
                $"{risk.Name} {card.Version} on every labeled target with data up to {asOf.Value:yyyy-MM-dd}: {EvaluationReport.Summary(evaluation.Metrics, evaluation.Baselines)}.",
                RangeCoverage.Measure(served, [.. rows.Select(r => (r.PatientId, r.Features))]))
            {
                LocalRangeCoverage = RangeCoverage.MeasureWithLocalCompletions(served, [.. rows.Select(r => (r.PatientId, r.Features))]),
            };

            var folder = output ?? Path.Combine("evaluations", $"{risk.Name}-{card.Version}-{DateTime.UtcNow:yyyyMMdd}");
            Directory.CreateDirectory(folder);
            var title = $"{risk.Name} {card.Version} on {data}";
            await File.WriteAllTextAsync(Path.Combine(folder, "evaluation.md"), EvaluationReport.External(card, external, evaluation.Subgroups), ct);
            await File.WriteAllTextAsync(
                Path.Combine(folder, "evaluation.json"), JsonSerializer.Serialize(new { evaluation = external, subgroups = evaluation.Subgroups }, ModelCard.Json) + "\n", ct);
            await File.WriteAllTextAsync(
                Path.Combine(folder, "roc.svg"), EvaluationPlots.RocSvg([.. probabilities.Zip(rows.Select(r => r.Label == true))], $"{title}: ROC"), ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "calibration.svg"), EvaluationPlots.CalibrationSvg(evaluation.Metrics.CalibrationCurve, $"{title}: calibration"), ct);

            if (record)
            {
                var (package, error) = ModelPackage.Read(served.Folder, services.GetRequiredService<RiskCatalog>());
                if (package is null)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] cannot record into {served.Folder}: {error}");
                    return 1;
                }

                await ModelPackage.ReplaceCardAsync(
                    served.Folder, package.Card with { ExternalEvaluations = [.. package.Card.ExternalEvaluations ?? [], external] }, ct);
            }

            AnsiConsole.MarkupLineInterpolated($"Wrote {folder}{(record ? $" and recorded it in {served.Folder}" : string.Empty)}. {external.Summary}");
            if (EvaluationReport.FewEventsWarning(evaluation.Metrics) is { } few)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {few}");
            }

            return 0;
        });
    }
}
