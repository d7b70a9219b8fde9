using System.CommandLine;
using System.Diagnostics;
using ClinicalCds.Application.Fhir.RederiveFacts;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds rederive [--type T]...: re-derives the stored clinical facts from the stored resources through the
/// terminology maps and encounter rules now configured (after a ConceptMap or Encounters setting changed). No re-import;
/// idempotent; shows its progress. Restart the servers too, so hooks read with the same maps.
/// </summary>
internal static class RederiveCommand
{
    public static Command Create()
    {
        var types = new Option<string[]>("--type") { Description = $"Only these resource types ({string.Join(", ", RederiveFactsHandler.ProjectedTypes)}); default all.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("rederive", "Re-derive the stored facts (codes, units, encounter kinds) with the terminology and encounter rules now configured.") { types };
        command.SetAction((parse, ct) => Run(parse.GetValue(types) ?? [], ct));
        return command;
    }

    private static async Task<int> Run(string[] types, CancellationToken ct)
    {
        var unknown = types.Where(t => !RederiveFactsHandler.ProjectedTypes.Contains(t)).ToList();
        if (unknown.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --type {string.Join(", ", unknown)} is not one of {string.Join(", ", RederiveFactsHandler.ProjectedTypes)}.");
            return 2;
        }

        return await CliHost.RunAsync(async services =>
        {
            var clock = Stopwatch.StartNew();
            IReadOnlyDictionary<string, long> done = new Dictionary<string, long>();
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                    var report = new InlineProgress<RederiveProgress>(p =>
                    {
                        var bar = bars.TryGetValue(p.ResourceType, out var known) ? known : bars[p.ResourceType] = progress.AddTask(p.ResourceType, maxValue: p.Total);
                        bar.MaxValue = p.Total;
                        bar.Value = p.Done;
                    });
                    done = await services.GetRequiredService<IMediator>().Send(new RederiveFactsCommand(types.Length == 0 ? null : types, report), ct);
                });
            AnsiConsole.MarkupLineInterpolated(
                $"Re-derived the facts of {done.Values.Sum():N0} resources ({string.Join(", ", done.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value:N0}"))}) in {clock.Elapsed.TotalSeconds:F1} s.");
            return 0;
        });
    }
}
