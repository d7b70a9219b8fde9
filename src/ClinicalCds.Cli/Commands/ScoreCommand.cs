using System.CommandLine;
using System.Globalization;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring.GetRuns;
using ClinicalCds.Application.Scoring.RequestRuns;
using ClinicalCds.Infrastructure.Jobs;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds score --cohort NAME|all [--model M] [--as-of T] [--wait]: enqueues runs now. With --wait this process
/// also works on the jobs (beside any running workers) and returns when the runs have finished, with their counts.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var cohort = new Option<string>("--cohort") { Description = "A configured cohort, or 'all'.", Required = true };
        var model = new Option<string?>("--model") { Description = "Only this model (readmission or complication)." };
        var asOf = new Option<string?>("--as-of") { Description = "Score as of this instant (default: Scoring:AsOf, else now)." };
        var wait = new Option<bool>("--wait") { Description = "Work on the runs in this process too, and return when they have finished." };
        var command = new Command("score", "Score a cohort now (population rescoring on demand).") { cohort, model, asOf, wait };
        command.SetAction(parse =>
        {
            if (!CliArguments.TryInstant(parse.GetValue(asOf), null, out var instant))
            {
                return Task.FromResult(2);
            }

            return CliHost.RunAsync(parse.GetValue(wait) ? WorkerHost : null, async services =>
            {
                // The models load first: a models folder that is not there is an error here, never runs scored with
                // the published scores instead.
                services.GetRequiredService<IRiskModels>();
                var mediator = services.GetRequiredService<IMediator>();
                var requested = await mediator.Send(new RequestRunsCommand(parse.GetValue(cohort)!, parse.GetValue(model), instant, "cli"));
                if (requested.Error is { } error)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {error}");
                    return 2;
                }

                AnsiConsole.MarkupLineInterpolated($"Enqueued {requested.Runs.Count} run(s) under request {requested.RequestKey}.");
                if (!parse.GetValue(wait))
                {
                    return 0;
                }

                var runs = await WaitAsync(mediator, requested);
                Print(runs);
                return runs.Any(r => r.Failed > 0) ? 1 : 0;
            });
        });
        return command;
    }

    private static void WorkerHost(IHostApplicationBuilder builder) =>
        builder.Services.AddClinicalCdsJobServer(new JobsOptions());

    private static async Task<IReadOnlyList<RunSummary>> WaitAsync(IMediator mediator, RunsRequested requested)
    {
        IReadOnlyList<RunSummary> runs = [];
        await AnsiConsole.Status().StartAsync("Scoring…", async status =>
        {
            while (true)
            {
                runs = await mediator.Send(new GetRunsQuery(RequestKey: requested.RequestKey, Limit: 1000));
                var done = runs.Count(r => r.IsFinished);
                status.Status($"Scoring: {done}/{requested.Runs.Count} runs finished, {runs.Sum(r => r.Scored + r.Skipped + r.Failed):N0} patients done");
                if (runs.Count == requested.Runs.Count && done == runs.Count)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        });
        return runs;
    }

    private static void Print(IReadOnlyList<RunSummary> runs)
    {
        var table = new Table().AddColumn("Run").AddColumn("Cohort").AddColumn("Model").AddColumn("As of")
            .AddColumn(new TableColumn("Patients").RightAligned()).AddColumn(new TableColumn("Scored").RightAligned())
            .AddColumn(new TableColumn("Skipped").RightAligned()).AddColumn(new TableColumn("Failed").RightAligned())
            .AddColumn(new TableColumn("Tier changes").RightAligned()).AddColumn(new TableColumn("Seconds").RightAligned());
        foreach (var run in runs.OrderBy(r => r.RunId))
        {
            table.AddRow(
                run.RunId.ToString(CultureInfo.InvariantCulture), run.Cohort, run.Model, run.AsOf.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                run.Patients.ToString("N0", CultureInfo.InvariantCulture), run.Scored.ToString("N0", CultureInfo.InvariantCulture),
                run.Skipped.ToString("N0", CultureInfo.InvariantCulture), run.Failed.ToString("N0", CultureInfo.InvariantCulture),
                run.TierChanges.ToString("N0", CultureInfo.InvariantCulture), (run.Seconds ?? 0).ToString("F1", CultureInfo.InvariantCulture));
        }

        CliOutput.Write(table);
        foreach (var run in runs.OrderBy(r => r.RunId))
        {
            AnsiConsole.MarkupLineInterpolated($"Run {run.RunId} scored with: {(run.Methods.Count == 0 ? "—" : string.Join(", ", run.Methods))}");
        }

        foreach (var run in runs.Where(r => r.SkipReasons.Count > 0).OrderBy(r => r.RunId))
        {
            AnsiConsole.MarkupLineInterpolated(
                $"Run {run.RunId} skipped: {string.Join("; ", run.SkipReasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:N0}"))}");
        }
    }
}
