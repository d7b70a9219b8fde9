using System.CommandLine;
using ClinicalCds.Application.Models.ChangeServing;
using ClinicalCds.Application.Models.GetServing;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds models [list | promote M V | rollback M | go-live M V]: which version of each model is active and which is the
/// candidate scored beside it (shadow mode), which may show cards here, and the audited changes between them. Servers and workers on the same models folder
/// follow a change at once.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var reason = new Option<string?>("--reason") { Description = "Why (required; kept in the audit trail)." };
        var by = new Option<string?>("--by") { Description = "The named person who makes the change (required; kept in the audit trail), e.g. \"Dr Ana Lopez, CMIO\"." };
        var model = new Argument<string>("model") { Description = "The model, e.g. readmission." };
        var version = new Argument<string>("version") { Description = "A valid version under models/<model>/." };

        var list = new Command("list", "Each model's active and candidate versions, its valid versions, and the latest changes.");
        list.SetAction((_, ct) => List(ct));
        var overrideEvidence = new Option<bool>("--override") { Description = "Promote without the shadow evidence Models:Promotion asks for (audited as an override)." };
        var promote = new Command("promote", "Make a version (normally the candidate, on its shadow evidence) active; the active one becomes the version to roll back to.") { model, version, by, reason, overrideEvidence };
        promote.SetAction((parse, ct) => Change(
            new ChangeServingCommand(parse.GetValue(model)!, ServingAction.Promote, parse.GetValue(version), parse.GetValue(by) ?? string.Empty, parse.GetValue(reason)) { Override = parse.GetValue(overrideEvidence) }, ct));
        var rollback = new Command("rollback", "Return to the version active before; the version left is retired (no longer the candidate).") { model, by, reason };
        rollback.SetAction((parse, ct) => Change(new ChangeServingCommand(parse.GetValue(model)!, ServingAction.Rollback, null, parse.GetValue(by) ?? string.Empty, parse.GetValue(reason)), ct));

        var accept = new Option<bool>("--accept") { Description = "Accept the version without a local evaluation that meets the go-live minimums (audited as an acceptance)." };
        var goLive = new Command("go-live", "Let a version show cards at this site: on a recorded local evaluation that meets Models:GoLive's minimums, or accepted (--accept).") { model, version, by, reason, accept };
        goLive.SetAction((parse, ct) => Change(
            new ChangeServingCommand(parse.GetValue(model)!, ServingAction.GoLive, parse.GetValue(version), parse.GetValue(by) ?? string.Empty, parse.GetValue(reason)) { Accept = parse.GetValue(accept) }, ct));

        var command = new Command("models", "Which model versions are active and which run in shadow; promote, roll back and go live (audited).") { list, promote, rollback, goLive };
        command.SetAction((_, ct) => List(ct));
        return command;
    }

    private static Task<int> List(CancellationToken ct) =>
        CliHost.RunAsync(async services =>
        {
            var overview = await services.GetRequiredService<IMediator>().Send(new GetServingQuery(10), ct);
            var table = new Table().AddColumns("Model", "Active", "Candidate (shadow)", "Valid versions", "Roll back to", "Live (shows cards)");
            foreach (var m in overview.Models)
            {
                var v = m.Versions;
                table.AddRow(v.Model, v.Active ?? "none (published score)", v.Candidate ?? "none", string.Join(", ", v.Available), v.State.Previous.Count > 0 ? v.State.Previous[0] : "-",
                    v.State.Live.Count > 0 ? string.Join(", ", v.State.Live) : "none");
            }

            CliOutput.Write(table);
            foreach (var refused in overview.Refused)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]refused:[/] {refused}");
            }

            if (overview.Changes.Count > 0)
            {
                var changes = new Table().AddColumns("At (UTC)", "Model", "Change", "From", "To", "By", "Reason");
                foreach (var c in overview.Changes)
                {
                    changes.AddRow($"{c.At.UtcDateTime:yyyy-MM-dd HH:mm}", c.Model, c.Action, c.FromVersion ?? "-", c.ToVersion, Markup.Escape(c.Actor), Markup.Escape(c.Reason ?? ""));
                }

                CliOutput.Write(changes);
            }

            return 0;
        });

    private static Task<int> Change(ChangeServingCommand command, CancellationToken ct) =>
        CliHost.RunAsync(async services =>
        {
            var result = await services.GetRequiredService<IMediator>().Send(command, ct);
            if (result.Change is not { } change)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {result.Error}");
                return 2;
            }

            if (command.Action == ServingAction.GoLive)
            {
                AnsiConsole.MarkupLineInterpolated($"{change.Model} {change.ToVersion} is live here ({change.Action}): it shows cards while it is the active version. The change is audited: {change.Reason}");
            }
            else
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"{change.Model} {change.ToVersion} is active (was {change.FromVersion ?? "none"}); the change is audited: {change.Reason}. Servers and workers on this models folder follow it now.");
            }

            return 0;
        });
}
