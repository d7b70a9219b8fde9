using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using Mediator;
using Microsoft.Extensions.Logging;

namespace ClinicalCds.Application.Models.ChangeServing;

public enum ServingAction
{
    Promote,
    Rollback,

    /// <summary>Let a version show cards at this site (<see cref="GoLiveOptions"/>): on its recorded local evaluation, or accepted.</summary>
    GoLive,
}

/// <summary>
/// Makes a model's candidate (or any valid version) active, or returns to the version active before; audited with
/// <paramref name="Actor"/>, the named person who makes the change (the signed-in administrator, or the CLI's --by), and
/// <paramref name="Reason"/>, both required (issue 32 item 2).
/// </summary>
public sealed record ChangeServingCommand(string Model, ServingAction Action, string? Version, string Actor, string? Reason = null)
    : ICommand<ChangeServingResult>
{
    /// <summary>For <see cref="ServingAction.GoLive"/>: the administrator accepts the version without a local evaluation that meets the minimums.</summary>
    public bool Accept { get; init; }

    /// <summary>For <see cref="ServingAction.Promote"/>: promote without the shadow evidence <see cref="PromotionOptions"/> asks for (audited as an override).</summary>
    public bool Override { get; init; }
}

/// <summary>The change made, or why none was.</summary>
public sealed record ChangeServingResult(ServingChange? Change, string? Error);

/// <summary>
/// Promotion and rollback (issue 22 item 5). Only a valid package can become active; a rollback needs a version that was
/// active before and still loads. The new state is written beside the model's versions (every process serving the folder
/// follows it) and the change is audited with who made it and why.
/// </summary>
public sealed class ChangeServingHandler(
    IModelServing serving, IRiskModels models, IServingAudit audit, RiskCatalog risks, GoLiveOptions goLive, PromotionOptions promotion,
    Monitoring.ServedOutcomes outcomes, TimeProvider clock, ILogger<ChangeServingHandler> logger)
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
        var reason = command.Reason.Trim();
        var action = command.Action.ToString().ToLowerInvariant();
        switch (command.Action)
        {
            case ServingAction.GoLive:
                if (string.IsNullOrWhiteSpace(command.Version) || !versions.Available.Contains(command.Version))
                {
                    return Failed($"{command.Model} {command.Version} is not a valid model package (valid versions: {valid}).");
                }

                if (state.Live.Contains(command.Version))
                {
                    return Failed($"{command.Model} {command.Version} is already live.");
                }

                var card = new[] { models.Find(command.Model), models.Candidate(command.Model) }.FirstOrDefault(m => m?.Card.Version == command.Version)?.Card;
                if (card is null)
                {
                    return Failed($"{command.Model} {command.Version} is neither the active version nor the candidate: promote it or let it run in shadow first.");
                }

                var (meets, summary) = GoLive.Evidence(card, goLive);
                if (meets is null && !command.Accept)
                {
                    return Failed($"{command.Model} {command.Version} has no local evaluation that meets the go-live minimums ({summary}). "
                        + "Record one with `clinicalcds evaluate --record`, or accept the version without one (--accept), named and with a reason.");
                }

                (action, reason) = meets is null ? ("accept", $"{reason} (accepted without a qualifying local evaluation: {summary})") : ("go-live", $"{reason} (evidence: {summary})");
                next = state.GoLive(command.Version);
                break;
            case ServingAction.Promote when string.IsNullOrWhiteSpace(command.Version):
                return Failed("Name the version to promote.");
            case ServingAction.Promote when !versions.Available.Contains(command.Version):
                return Failed($"{command.Model} {command.Version} is not a valid model package (valid versions: {valid}).");
            case ServingAction.Promote when command.Version == versions.Active:
                return Failed($"{command.Model} {command.Version} is already active.");
            case ServingAction.Promote:
                // Replacing an active version needs the candidate's shadow evidence, or an audited override.
                if (versions.Active is not null)
                {
                    var evidence = await ShadowEvidenceOf(command.Model, command.Version!, cancellationToken);
                    var shortfall = evidence?.Shortfall(promotion) ?? $"{command.Version} has not run in shadow beside {versions.Active}";
                    if (evidence?.Shortfall(promotion) is null && evidence is not null)
                    {
                        reason = $"{reason} (shadow evidence: {evidence.Summary})";
                    }
                    else if (command.Override)
                    {
                        (action, reason) = ("promote (override)", $"{reason} (promoted without the shadow evidence: {shortfall}{(evidence is null ? string.Empty : $"; {evidence.Summary}")})");
                    }
                    else
                    {
                        return Failed($"{command.Model} {command.Version} cannot replace {versions.Active} yet: {shortfall}"
                            + $"{(evidence is null ? string.Empty : $" ({evidence.Summary})")}. Let it run in shadow until it has at least {promotion.MinimumEvents} events and is not significantly worse, or promote it anyway with --override, named and with a reason.");
                    }
                }

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
            clock.GetUtcNow(), command.Model, action, versions.Active, command.Action == ServingAction.GoLive ? command.Version! : next.Active!, command.Actor.Trim(), reason);
        await audit.RecordAsync(change, cancellationToken);
        logger.LogInformation("Model {Model}: {Action} from {From} to {To} by {Actor}", change.Model, change.Action, change.FromVersion, change.ToVersion, change.Actor);
        return new ChangeServingResult(change, null);
    }

    /// <summary>
    /// The candidate's labelled shadow scores beside the active version's (issue 32 item 3); null when
    /// <paramref name="version"/> is not the candidate (only the candidate runs in shadow).
    /// </summary>
    private async Task<ShadowEvidence?> ShadowEvidenceOf(string model, string version, CancellationToken cancellationToken)
    {
        if (models.Candidate(model) is not { } candidate || candidate.Card.Version != version || risks.Find(model) is not { } risk)
        {
            return null;
        }

        var labelled = await outcomes.LabelAsync(risk, clock.GetUtcNow(), cancellationToken);
        return ShadowEvidence.Of([.. labelled
            .Where(o => o.Score.Shadow && o.Score.Method == candidate.Card.SourceLabel && o.Score.ActiveProbability is not null)
            .Select(o => (o.Score.PatientId, o.Score.Probability, o.Score.ActiveProbability!.Value, o.Outcome.Label == true))]);
    }

    private static ChangeServingResult Failed(string error) => new(null, error);
}
