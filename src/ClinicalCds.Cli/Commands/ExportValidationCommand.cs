using System.CommandLine;
using ClinicalCds.Application.Monitoring.ExportValidation;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Infrastructure.Validation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds export-validation --model M --out DIR [--now T]: the served scores whose outcome windows have closed, with
/// their outcome events, as seismometer's predictions.parquet, events.parquet, usage_config.yml and config.yml.
/// </summary>
internal static class ExportValidationCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The risk whose served scores are exported: readmission, complication (or another known risk).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the files (created).", Required = true };
        var now = new Option<string?>("--now") { Description = "The instant the outcome windows must have closed by (ISO 8601); default Scoring:AsOf, else now." };
        var command = new Command("export-validation", "Write the served scores and their outcomes for Epic's seismometer (local validation).") { model, output, now };
        command.SetAction((parse, ct) => Run(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(now), ct));
        return command;
    }

    private static async Task<int> Run(string model, string output, string? nowText, CancellationToken ct) =>
        await CliHost.RunAsync(async services =>
        {
            var configured = services.GetRequiredService<ScoringOptions>().AsOf ?? DateTimeOffset.UtcNow;
            if (!CliArguments.TryInstant(nowText, configured, out var now) || !CliArguments.NotInTheFuture(now!.Value, configured)
                || !CliArguments.TryModel(model, services.GetRequiredService<RiskCatalog>(), out var risk))
            {
                return 2;
            }

            var export = await services.GetRequiredService<IMediator>().Send(new ExportValidationQuery(risk, now.Value), ct);
            if (export.Predictions.Count == 0)
            {
                // Nothing to validate is no success: a script that exports nightly must see it.
                AnsiConsole.MarkupLineInterpolated(
                    $"[red]error:[/] nothing to export: no served {risk.Name} score has an outcome window closed by {now.Value:yyyy-MM-dd HH:mm} UTC (scores come from nightly runs and hooks; a window closes {risk.Window.TotalDays:0.#} days after the instant it was scored at). No files were written.");
                return 1;
            }

            await SeismometerFiles.WriteAsync(export, output, ct);
            AnsiConsole.MarkupLineInterpolated(
                $"Wrote {output}: {export.Predictions.Count:N0} predictions of {export.Predictions.Select(p => p.PatientId).Distinct().Count():N0} patients, {export.Events.Count:N0} {export.EventName} events (windows closed by {now.Value:yyyy-MM-dd HH:mm} UTC).");
            return 0;
        });
}
