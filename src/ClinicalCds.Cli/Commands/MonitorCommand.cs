using System.CommandLine;
using ClinicalCds.Application.Monitoring.CheckInputDrift;
using ClinicalCds.Application.Monitoring.CheckResultFeed;
using ClinicalCds.Application.Monitoring.MonitorOutcomes;
using ClinicalCds.Application.Scoring;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds monitor [--now T]: the model monitoring now (the worker runs it nightly): every served score whose
/// outcome window has closed is labelled from the store and each method's months are recomputed; then the inputs served
/// in the last days are checked against each model's card (drift and data-quality alarms).
/// </summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var now = new Option<string?>("--now") { Description = "The instant the windows must have closed by (ISO 8601); default Scoring:AsOf, else now." };
        var command = new Command("monitor", "Label the served scores whose outcome windows have closed and compute each model version's monthly performance.") { now };
        command.SetAction((parse, ct) => Run(parse.GetValue(now), ct));
        return command;
    }

    private static async Task<int> Run(string? nowText, CancellationToken ct) =>
        await CliHost.RunAsync(async services =>
        {
            var configured = services.GetRequiredService<ScoringOptions>().AsOf ?? DateTimeOffset.UtcNow;
            if (!CliArguments.TryInstant(nowText, configured, out var now) || !CliArguments.NotInTheFuture(now!.Value, configured))
            {
                return 2;
            }

            var result = await services.GetRequiredService<IMediator>().Send(new MonitorOutcomesCommand(now!.Value), ct);
            var table = new Table().AddColumns("Model", "Method", "Month", "Targets", "Positive", "AUROC (95% CI)", "Calibration-in-the-large", "Slope");
            foreach (var p in result.Periods.OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => p.Method, StringComparer.Ordinal).ThenBy(p => p.Month))
            {
                var m = p.Metrics;
                table.AddRow(p.Model, Markup.Escape(p.Method), $"{p.Month:yyyy-MM}", $"{m.Rows:N0}", $"{m.Positives:N0}", m.Auroc.Show("0.000"), m.CalibrationInTheLarge.Show("0.00"), m.CalibrationSlope.Show("0.00"));
            }

            AnsiConsole.MarkupLineInterpolated($"{result.Labelled:N0} served targets labelled (windows closed by {now.Value:yyyy-MM-dd HH:mm} UTC).");
            if (result.Periods.Count > 0)
            {
                CliOutput.Write(table);
            }

            foreach (var check in await services.GetRequiredService<IMediator>().Send(new CheckInputDriftCommand(now.Value), ct))
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"Input drift of {check.Method}, {check.From:yyyy-MM-dd} to {check.Until:yyyy-MM-dd}: {check.Targets:N0} targets, {(check.Alarmed.Count == 0 ? "no alarm" : $"{check.Alarmed.Count} features with alarms")}.");
                if (check.Alarmed.Count > 0)
                {
                    var alarms = new Table().AddColumns("Feature", "Alarms", "PSI", "Not recorded (training)", "Out of range");
                    foreach (var f in check.Alarmed)
                    {
                        alarms.AddRow(f.Feature, string.Join(", ", f.Alarms), $"{f.Psi:0.00}", $"{f.MissingShare:P0} ({f.ReferenceMissingShare:P0})", $"{f.OutOfRangeShare:P0}");
                    }

                    CliOutput.Write(alarms);
                }
            }

            var feed = await services.GetRequiredService<IMediator>().Send(new CheckResultFeedCommand(now.Value), ct);
            AnsiConsole.MarkupLineInterpolated(
                $"Result feed, {feed.From:yyyy-MM-dd} to {feed.Until:yyyy-MM-dd}: {feed.Feeds.Sum(f => f.Results):N0} results of {feed.Feeds.Count} codes, {(feed.Alarmed.Count == 0 ? "no alarm" : $"{feed.Alarmed.Count} codes with results not usable")}.");
            if (feed.Alarmed.Count > 0)
            {
                var faults = new Table().AddColumns("LOINC", "Results", "Not usable", "Their units");
                foreach (var f in feed.Feeds.Where(f => feed.Alarmed.Contains(f.Code)))
                {
                    faults.AddRow(f.Code, $"{f.Results:N0}", $"{f.Unusable:N0} ({f.UnusableShare:P1})", Markup.Escape(string.Join(", ", f.UnusableUnits)));
                }

                CliOutput.Write(faults);
            }

            return 0;
        });
}
