using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using Mediator;
using Microsoft.Extensions.Logging;

namespace ClinicalCds.Application.Models.ChangeServing;

public enum ServingAction
{
    Promote,
    Rollback,
}

/// <summary>
/// Makes a model's candidate (or any valid version) active, or returns to the version active before; audited with
/// <paramref name="Actor"/>, the named person who makes the change (the signed-in administrator, or the CLI's --by), and
/// <paramref name="Reason"/>, both required (issue 32 item 2).
/// </summary>
public sealed record ChangeServingCommand(string Model, ServingAction Action, string? Version, string Actor, string? Reason = null)
    : ICommand<ChangeServingResult>;

/// <summary>The change made, or why none was.</summary>
public sealed record ChangeServingResult(ServingChange? Change, string? Error);

/// <summary>
/// Promotion and rollback (issue 22 item 5). Only a valid package can become active; a rollback needs a version that was
/// active before and still loads. The new state is written beside the model's versions (every process serving the folder
/// follows it) and the change is audited with who made it and why.
/// </summary>
public sealed class ChangeServingHandler(IModelServing serving, IServingAudit audit, RiskCatalog risks, TimeProvider clock, ILogger<ChangeServingHandler> logger)
    : ICommandHandler<ChangeServingCommand, ChangeServingResult>
{
    public async ValueTask<ChangeServingResult> Handle(ChangeServingCommand command, CancellationToken cancellationToken)
    {
        if (!risks.Names.Contains(command.Model, StringComparer.Ordinal))
        {
            return Failed($"There is no model '{command.Model}' (models: {string.Join(", ", risks.Names)}).");
        }

        if (string.IsNullOrWhiteSpace(command.Actor))
        {
            return Failed("Name the person who makes the change (--by): a serving change is audited with who made it.");
        }

        if (string.IsNullOrWhiteSpace(command.Reason))
        {
            return Failed("Give the reason for the change (--reason): a serving change is audited with why it was made.");
        }

        var versions = serving.Versions(command.Model);
        // Without a serving.json the newest valid version is active: that is the version a rollback leaves.
        var state = versions.State.Active is null && versions.Active is not null ? versions.State with { Active = versions.Active } : versions.State;
        var valid = versions.Available.Count == 0 ? "none" : string.Join(", ", versions.Available);
        ServingState next;
        switch (command.Action)
        {
            case ServingAction.Promote when string.IsNullOrWhiteSpace(command.Version):
                return Failed("Name the version to promote.");
            case ServingAction.Promote when !versions.Available.Contains(command.Version):
                return Failed($"{command.Model} {command.Version} is not a valid model package (valid versions: {valid}).");
            case ServingAction.Promote when command.Version == versions.Active:
                return Failed($"{command.Model} {command.Version} is already active.");
            case ServingAction.Promote:
                next = state.Promote(command.Version!);
                break;
            default:
                if (state.Rollback() is not { } back)
                {
                    return Failed($"{command.Model} has no version that was active before {versions.Active ?? "now"} to return to.");
                }

                if (!versions.Available.Contains(back.Active))
                {
                    return Failed($"{command.Model} {back.Active}, the version active before, is not a valid model package now (valid versions: {valid}).");
                }

                next = back;
                break;
        }

        serving.Change(command.Model, next);
        if (serving.Versions(command.Model).Active != next.Active)
        {
            return Failed($"{command.Model} {next.Active} did not load; see the models page for why.");
        }

        var change = new ServingChange(
            clock.GetUtcNow(), command.Model, command.Action.ToString().ToLowerInvariant(), versions.Active, next.Active!, command.Actor.Trim(), command.Reason.Trim());
        await audit.RecordAsync(change, cancellationToken);
        logger.LogInformation("Model {Model}: {Action} from {From} to {To} by {Actor}", change.Model, change.Action, change.FromVersion, change.ToVersion, change.Actor);
        return new ChangeServingResult(change, null);
    }

    private static ChangeServingResult Failed(string error) => new(null, error);
}
