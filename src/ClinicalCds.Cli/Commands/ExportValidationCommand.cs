using System.CommandLine;
using System.Globalization;
using ClinicalCds.Application.Monitoring.ExportValidation;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Infrastructure.Validation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds export-validation --model M --out DIR [--version V] [--now T]: one model version's served scores whose
/// outcome windows have closed, with their outcome events, as seismometer's predictions.parquet, events.parquet,
/// usage_config.yml, metadata.json and config.yml.
/// </summary>
internal static class ExportValidationCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The risk whose served scores are exported: readmission, complication (or another known risk).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the files (created).", Required = true };
        var now = new Option<string?>("--now") { Description = "The instant the outcome windows must have closed by (ISO 8601); default Scoring:AsOf, else now." };
        var version = new Option<string?>("--version") { Description = "The version whose scores are exported: the active one (default) or the candidate (its shadow scores)." };
        var command = new Command("export-validation", "Write one model version's served scores and their outcomes for Epic's seismometer (local validation).") { model, output, version, now };
        command.SetAction((parse, ct) => Run(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(version), parse.GetValue(now), ct));
        return command;
    }

    private static async Task<int> Run(string model, string output, string? version, string? nowText, CancellationToken ct) =>
        await CliHost.RunAsync(async services =>
        {
            var configured = services.GetRequiredService<ScoringOptions>().AsOf ?? DateTimeOffset.UtcNow;
            if (!CliArguments.TryInstant(nowText, configured, out var now) || !CliArguments.NotInTheFuture(now!.Value, configured)
                || !CliArguments.TryModel(model, services.GetRequiredService<RiskCatalog>(), out var risk))
            {
                return 2;
            }

            var export = await services.GetRequiredService<IMediator>().Send(new ExportValidationQuery(risk, now.Value, version), ct);
            if (export.Method is null)
            {
                if (version is null)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] no {risk.Name} model is served (Models:Root): there is no model version to validate. No files were written.");
                }
                else
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {risk.Name} {version} is neither the active version nor the candidate (`clinicalcds models list`). No files were written.");
                }

                return 1;
            }

            var late = export.Late == 0 ? string.Empty
                : string.Create(CultureInfo.InvariantCulture, $" {export.Late:N0} targets first scored more than {services.GetRequiredService<ScoringOptions>().MonitoringMaxLagHours:0.#} h after their instant were left out, as the monitoring leaves them out (Scoring:MonitoringMaxLagHours).");
            if (export.Predictions.Count == 0)
            {
                // Nothing to validate is no success: a script that exports nightly must see it.
                AnsiConsole.MarkupLineInterpolated(
                    $"[red]error:[/] nothing to export: no score of {export.Method} has an outcome window closed by {now.Value:yyyy-MM-dd HH:mm} UTC (scores come from nightly runs and hooks; a window closes {risk.Window.TotalDays:0.#} days after the instant it was scored at).{late} No files were written.");
                return 1;
            }

            await SeismometerFiles.WriteAsync(export, output, ct);
            AnsiConsole.MarkupLineInterpolated(
                $"Wrote {output}: {export.Predictions.Count:N0} predictions of {export.Method} for {export.Predictions.Select(p => p.PatientId).Distinct().Count():N0} patients, {export.Events.Count:N0} {export.EventName} events (windows closed by {now.Value:yyyy-MM-dd HH:mm} UTC).{late}");
            return 0;
        });
}
