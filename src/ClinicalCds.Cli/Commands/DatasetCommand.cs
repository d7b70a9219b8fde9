using System.CommandLine;
using System.Globalization;
using System.Text;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds dataset --model readmission|complication|... --out FILE [--as-of T] [--seed S] [--test-fraction F]: the labeled
/// training rows as CSV (patient, encounter, instant, split, label, event, then every feature in catalog order; empty = not
/// recorded or not known).
/// </summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The risk whose outcome labels the rows: readmission, complication (or another known risk).", Required = true };
        var output = new Option<string>("--out") { Description = "CSV file to write.", Required = true };
        var asOf = new Option<string?>("--as-of") { Description = "End of the data (ISO 8601); later outcomes are unknown. Default now." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the patient split.", DefaultValueFactory = _ => 2026 };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of patients in the test split.", DefaultValueFactory = _ => 0.2 };
        var command = new Command("dataset", "Write a labeled dataset (features as of each index instant, outcome after it, split by patient).")
        {
            model, output, asOf, seed, testFraction,
        };
        command.SetAction((parse, ct) => Run(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(asOf), parse.GetValue(seed), parse.GetValue(testFraction), ct));
        return command;
    }

    private static async Task<int> Run(string model, string output, string? asOfText, ulong seed, double testFraction, CancellationToken ct)
    {
        if (!CliArguments.TryInstant(asOfText, DateTimeOffset.UtcNow, out var asOf))
        {
            return 2;
        }

        var cutoff = asOf!.Value;

        if (testFraction is < 0 or > 1)
        {
            AnsiConsole.MarkupLine("[red]error:[/] --test-fraction must be between 0 and 1.");
            return 2;
        }

        return await CliHost.RunAsync(async services =>
        {
            if (!CliArguments.TryModel(model, services.GetRequiredService<RiskCatalog>(), out var risk))
            {
                return 2;
            }

            var mediator = services.GetRequiredService<IMediator>();
            await using var writer = new StreamWriter(output, append: false, new UTF8Encoding(false));
            await writer.WriteLineAsync("patient_id,encounter_id,instant,split,label,event," + string.Join(',', risk.Inputs.Names));
            long rows = 0, positives = 0, unknown = 0, test = 0;
            await foreach (var row in mediator.CreateStream(new BuildDatasetQuery(risk, cutoff, seed, testFraction), ct))
            {
                rows++;
                positives += row.Label == true ? 1 : 0;
                unknown += row.Label is null ? 1 : 0;
                test += row.IsTest ? 1 : 0;
                var line = new StringBuilder()
                    .Append(row.PatientId).Append(',').Append(row.EncounterId).Append(',')
                    .Append(row.Instant.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append(',')
                    .Append(row.IsTest ? "test" : "train").Append(',')
                    .Append(row.Label switch { true => "1", false => "0", null => string.Empty }).Append(',')
                    .Append(row.Event);
                foreach (var value in row.Features.Values)
                {
                    line.Append(',').Append(value?.ToString("R", CultureInfo.InvariantCulture));
                }

                await writer.WriteLineAsync(line, ct);
            }

            AnsiConsole.MarkupLineInterpolated(
                $"Wrote {rows:N0} {model} examples to {output}: {positives:N0} positive, {unknown:N0} not known yet, {test:N0} in the test split.");
            return 0;
        });
    }
}
