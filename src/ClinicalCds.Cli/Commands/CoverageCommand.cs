using System.CommandLine;
using System.Text.Json;
using ClinicalCds.Application.Features.GetCoverage;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Risks;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds coverage [--model M] [--as-of T] [--json]: the data-readiness report — per catalog feature, the share of
/// the model's scoring targets where it is present; the local codes seen most often that map to nothing; encounters per
/// kind. Run it before go-live and after changing the terminology maps (then `rederive`).
/// </summary>
internal static class CoverageCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model whose scoring targets are counted (default readmission).", DefaultValueFactory = _ => RiskCatalog.Readmission.Name };
        var asOf = new Option<string?>("--as-of") { Description = "End of the data (ISO 8601); default Scoring:AsOf, else now." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var command = new Command("coverage", "Report which features the data can give, at the model's scoring targets, and the codes that map to nothing.") { model, asOf, json };
        command.SetAction((parse, ct) => Run(parse.GetValue(model)!, parse.GetValue(asOf), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> Run(string model, string? asOfText, bool json, CancellationToken ct)
    {
        return await CliHost.RunAsync(async services =>
        {
            if (!CliArguments.TryInstant(asOfText, services.GetRequiredService<ScoringOptions>().AsOf ?? DateTimeOffset.UtcNow, out var asOf)
                || !CliArguments.TryModel(model, services.GetRequiredService<RiskCatalog>(), out var risk))
            {
                return 2;
            }

            var report = await services.GetRequiredService<IMediator>().Send(new GetCoverageQuery(risk, asOf!.Value), ct);
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                return report.Targets == 0 ? 1 : 0;
            }

            AnsiConsole.MarkupLineInterpolated($"[bold]{report.Model}[/]: {report.Targets:N0} scoring targets of {report.Patients:N0} patients, data up to {report.AsOf:yyyy-MM-dd HH:mm} UTC");
            var features = new Table().AddColumns("Feature", "Present", "Share", string.Empty);
            foreach (var f in report.Features)
            {
                var bar = new string('█', (int)Math.Round(f.Share * 20));
                features.AddRow(Markup.Escape(f.Feature), $"{f.Present:N0} of {f.Targets:N0}", $"{f.Share:P0}", bar);
            }

            CliOutput.Write(features);
            var codes = new Table().AddColumns("Resource", "Code system", "Code", "Display", "Count");
            foreach (var u in report.Unmapped)
            {
                codes.AddRow(u.ResourceType, Markup.Escape(u.System), Markup.Escape(u.Code), Markup.Escape(u.Display ?? string.Empty), $"{u.Count:N0}");
            }

            AnsiConsole.MarkupLineInterpolated($"{report.CodesVerdict}");
            if (report.Unmapped.Count > 0)
            {
                CliOutput.Write(codes);
            }

            AnsiConsole.MarkupLineInterpolated($"Encounters by kind: {string.Join(", ", report.EncountersByKind.Select(k => $"{k.Key} {k.Value:N0}"))}");
            // A report that read nothing is no pass: scripts that check data readiness must see it fail.
            return report.Targets == 0 ? 1 : 0;
        });
    }
}
