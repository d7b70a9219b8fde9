using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ClinicalCds.Synthetic;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>clinicalcds synth --patients N --seed S --out DIR: a synthetic population as FHIR Bulk Data NDJSON.</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var patients = new Option<int>("--patients") { Description = "Number of patients.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives byte-identical files.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var asOf = new Option<string?>("--as-of") { Description = "End of the simulated history (UTC: yyyy-MM-dd or an ISO 8601 instant); default 2026-06-30." };
        var recentCare = new Option<int?>("--recent-care")
        {
            Description = "Keep only patients in hospital at the end or discharged within this many days before it (a hospital's active patients, as the demo uses).",
        };
        var command = new Command("synth", "Write a synthetic population (FHIR R4 NDJSON) with its ground-truth risks.") { patients, seed, output, asOf, recentCare };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(patients);
            if (count <= 0)
            {
                AnsiConsole.MarkupLine("[red]error:[/] --patients must be a positive number.");
                return 2;
            }

            var end = SyntheticOptions.DefaultAsOf;
            if (parse.GetValue(asOf) is { } text && !DateTime.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mmK"], CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out end))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --as-of must be a date (yyyy-MM-dd) or an instant (2026-06-30T08:00:00Z), not '{text}'.");
                return 2;
            }

            if (parse.GetValue(recentCare) is <= 0)
            {
                AnsiConsole.MarkupLine("[red]error:[/] --recent-care must be a positive number of days.");
                return 2;
            }

            var options = new SyntheticOptions(count, parse.GetValue(seed), end) { RecentCareDays = parse.GetValue(recentCare) };
            var directory = parse.GetValue(output)!;
            var clock = Stopwatch.StartNew();
            SynthResult result = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var bar = progress.AddTask("Simulating patients", maxValue: count);
                    result = PopulationGenerator.Generate(options, directory, new InlineProgress<SynthProgress>(p => bar.Value = p.PatientsWritten));
                    bar.Value = count;
                });

            var table = new Table().AddColumn("File").AddColumn(new TableColumn("Resources").RightAligned());
            foreach (var (type, resources) in result.ResourcesByType)
            {
                table.AddRow($"{type}.ndjson", resources.ToString("N0", CultureInfo.InvariantCulture));
            }

            CliOutput.Write(table);
            AnsiConsole.MarkupLineInterpolated(
                $"Wrote {count:N0} {(count == 1 ? "patient" : "patients")} ({result.ResourcesByType.Values.Sum():N0} resources) to {directory} in {clock.Elapsed.TotalSeconds:F1} s; ground truth in {Path.Combine(directory, GroundTruth.Folder)}.");
            return 0;
        });
        return command;
    }
}
