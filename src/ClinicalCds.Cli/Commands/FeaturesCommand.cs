using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ClinicalCds.Application.Features.GetPatientFeatures;
using ClinicalCds.Domain.Features;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds features --patient ID [--as-of T] [--encounter E] [--json]: a patient's feature vector and the published
/// scores' breakdowns, for clinicians checking a score and for us when one surprises someone. Exit 1 when the patient
/// or a stay is not found, 2 on usage errors.
/// </summary>
internal static class FeaturesCommand
{
    public static Command Create()
    {
        var patient = new Option<string?>("--patient") { Description = "Patient logical id." };
        var asOf = new Option<string?>("--as-of") { Description = "Instant (ISO 8601, e.g. 2026-03-01T08:00:00Z); default now. Nothing recorded later is used." };
        var encounter = new Option<string?>("--encounter") { Description = "Index stay (Encounter id); default the latest inpatient stay started by the instant." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var catalog = new Option<bool>("--catalog") { Description = "Print the feature catalog (Markdown) instead of a patient's features." };
        var command = new Command("features", "Print a patient's feature vector and published score breakdowns (LACE, HOSPITAL, NEWS2, Charlson, KDIGO).")
        {
            patient, asOf, encounter, json, catalog,
        };
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(catalog))
            {
                Console.Out.Write(FeatureCatalog.ToMarkdown());
                return Task.FromResult(0);
            }

            if (parse.GetValue(patient) is not { Length: > 0 } patientId)
            {
                AnsiConsole.MarkupLine("[red]error:[/] --patient ID is required (or --catalog).");
                return Task.FromResult(2);
            }

            return Run(patientId, parse.GetValue(asOf), parse.GetValue(encounter), parse.GetValue(json), ct);
        });
        return command;
    }

    private static async Task<int> Run(string patientId, string? asOfText, string? encounterId, bool json, CancellationToken ct)
    {
        if (!CliArguments.TryInstant(asOfText, fallback: null, out var asOf))
        {
            return 2;
        }

        return await CliHost.RunAsync(async services =>
        {
            var result = await services.GetRequiredService<IMediator>().Send(new GetPatientFeaturesQuery(patientId, asOf, encounterId), ct);
            if (result.Status != PatientFeaturesStatus.Found)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {result.Message}");
                return 1;
            }

            if (json)
            {
                PrintJson(result);
            }
            else
            {
                PrintTables(result);
            }

            return 0;
        });
    }

    private static void PrintJson(PatientFeaturesResult result)
    {
        var f = result.Features!;
        var document = new
        {
            patientId = f.PatientId,
            encounterId = f.IndexEncounterId,
            asOf = f.AsOf,
            catalogVersion = result.Vector!.CatalogVersion,
            features = FeatureCatalog.Features.Select((d, i) => new { name = d.Name, value = result.Vector.Values[i], unit = d.Unit }),
            scores = result.Scores,
        };
        Console.Out.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }

    private static void PrintTables(PatientFeaturesResult result)
    {
        var f = result.Features!;
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]Patient/{f.PatientId}[/]  stay Encounter/{f.IndexEncounterId}  admitted {f.AdmittedAt:u}  {(f.DischargedAt is { } d ? $"discharged {d:u}" : "in progress")}");
        AnsiConsole.MarkupLineInterpolated($"Features as of {f.AsOf:u} ({result.Vector!.CatalogVersion})");

        var table = new Table().AddColumns("Feature", "Value", "Unit");
        for (var i = 0; i < FeatureCatalog.Features.Count; i++)
        {
            var definition = FeatureCatalog.Features[i];
            var value = result.Vector.Values[i];
            table.AddRow(
                Markup.Escape(definition.Name),
                value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "[grey]not recorded[/]",
                Markup.Escape(definition.Unit));
        }

        CliOutput.Write(table);
        foreach (var score in result.Scores!)
        {
            var breakdown = new Table()
                .Title($"{Markup.Escape(score.Name)}: {score.Total.ToString(CultureInfo.InvariantCulture)}{(score.RiskCategory is { } c ? $" ({Markup.Escape(c)})" : string.Empty)}")
                .Caption(Markup.Escape(score.Source + (score.IsComplete ? string.Empty : $"; not recorded: {string.Join(", ", score.Missing)}")))
                .AddColumns("Component", "Patient", "Points");
            foreach (var component in score.Components)
            {
                breakdown.AddRow(Markup.Escape(component.Name), Markup.Escape(component.PatientValue), component.Points.ToString(CultureInfo.InvariantCulture));
            }

            CliOutput.Write(breakdown);
        }
    }
}
