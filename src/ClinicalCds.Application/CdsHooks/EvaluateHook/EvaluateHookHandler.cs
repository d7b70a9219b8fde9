using ClinicalCds.Application.Models;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Fhir;
using System.Text.Json.Nodes;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>
/// A hook call, evaluated: validate, gather the patient's data (prefetch → fhirServer → our store when configured → 412),
/// build the timeline through the same builder as every other path, let the risk's definition choose the stay, explain
/// the risk and answer cards. It writes nothing: the answer carries the call, the score served and the cards issued, and
/// one pipeline step records them with the audit row in one transaction (<see cref="HookAuditBehavior{TCommand}"/>).
/// </summary>
public sealed class EvaluateHookHandler(
    IFhirServerClient fhirServer, IPatientTimelineReader store, IRiskModels models, IModelServing serving, GoLiveOptions goLive,
    CdsHooksOptions options, ServiceRisks serviceRisks, Terminology terminology, ScoringOptions scoring, TimeProvider clock)
    : ICommandHandler<EvaluateHookCommand, CdsAnswer>
{
    public async ValueTask<CdsAnswer> Handle(EvaluateHookCommand command, CancellationToken cancellationToken)
    {
        if (CdsServices.Find(command.ServiceId) is not { } service)
        {
            return CdsAnswer.Failed(CdsFailure.UnknownService, $"There is no CDS Service '{command.ServiceId}'.") with
            {
                Call = new HookCall(null, null, null, "unknown service"),
            };
        }

        var (request, result, outcome) = await Evaluate(CdsServices.Localized(service, terminology), command, cancellationToken);
        return result with { Call = new HookCall(request?.HookInstance, request?.UserId, request?.PatientId, outcome) };
    }

    private async Task<(HookRequest?, CdsAnswer, string)> Evaluate(CdsServiceDefinition service, EvaluateHookCommand command, CancellationToken ct)
    {
        var (request, errors) = HookRequest.Read(command.Body, service);
        if (request is null)
        {
            return (null, CdsAnswer.Failed(CdsFailure.InvalidRequest, [.. errors]), "invalid request");
        }

        // A fhirServer the configuration does not allow this client is not followed: its keys are then unavailable, with the reason.
        request = request.FollowingOnly(options, command.ClientId);
        var data = await PrefetchResolver.ResolveAsync(service, request, fhirServer, terminology, ct);
        if (data.Invalid.Count > 0)
        {
            return (request, CdsAnswer.Failed(CdsFailure.InvalidRequest, [.. data.Invalid]), "invalid prefetch");
        }

        PatientTimeline timeline;
        IReadOnlyList<string>? fallback = null;
        if (data.Unavailable.Count == 0)
        {
            timeline = PatientTimeline.Create(request.PatientId, data.Facts, terminology.Time);
        }
        else if (options.StoreFallback)
        {
            timeline = await store.ReadAsync([request.PatientId], ct).FirstOrDefaultAsync(ct)
                ?? PatientTimeline.Create(request.PatientId, [], terminology.Time);
            fallback = data.Unavailable;
        }
        else
        {
            return (request, CdsAnswer.Failed(CdsFailure.DataUnavailable,
                [.. data.Unavailable.Select(u => $"CDS Hooks prefetch key {u}; the data could not be obtained.")]), "data unavailable");
        }

        // The instant the risk is judged at: the wall clock, or the one a validation deployment pins (Scoring:AsOf) so a
        // shifted or de-identified extract is scored as of its own time; the card is issued now either way.
        var now = clock.GetUtcNow();
        var judgedAt = scoring.AsOf ?? now;
        var risk = Explain(service, serviceRisks.For(service.Id), request, timeline, judgedAt, models);
        if (risk.Error is { } error)
        {
            return (request, CdsAnswer.Failed(CdsFailure.DataUnavailable, error), "encounter not in data");
        }

        // The model's score behind the answer, kept for the outcome monitoring and the drift check; in shadow mode the
        // candidate version's answer on the same inputs beside it, never shown.
        var kept = risk.Scored is { } served && (served.Candidate is not null || RiskAssessments.ProbabilityOf(served.Explanation) is not null)
            ? new HookScore(
                served.Explanation.Risk.Name, served.PatientId, served.Target.Stay.EncounterId, served.Features.AsOf, request.HookInstance,
                served.Candidate, served.Explanation.SourceLabel, RiskAssessments.ProbabilityOf(served.Explanation), RiskAssessments.TierOf(served.Explanation),
                served.Inputs.Values)
            : null;

        // A model version not live here (issue 32 item 3) runs silent: its score is recorded above for monitoring, and the
        // card is the published score's, as if no model were loaded — so a published score's alarm is never silenced.
        var silent = risk.Scored is { } modelled ? NotLive(modelled) : null;
        if (silent is not null && goLive.Required)
        {
            risk = risk with { Scored = risk.Scored! with { Explanation = risk.Scored.Explanation.Risk.Published(risk.Scored.Features) } };
        }

        if (risk.Scored is not { } scored || RiskCards.Create(scored.Explanation, scored.Features, options) is not { } card)
        {
            // Every "no card" says why (issue 33 item 8): not scored (and why), or a tier the service shows no card at.
            var why = risk.NotScored ?? (risk.Scored is { } quiet ? $"{RiskAssessments.TierOf(quiet.Explanation)} {quiet.Explanation.Risk.Noun} risk, no card at that tier (CdsHooks:Indicators)" : null);
            why = silent is not null && goLive.Required ? $"{why}; {silent}, the published score answered" : why;
            return (request, CdsAnswer.Ok(new CdsResponse([])) with { Served = kept }, why is null ? "no card" : $"no card: {why}");
        }

        if (silent is not null)
        {
            card = card with
            {
                Detail = goLive.Required
                    ? $"{card.Detail}\n\n_{FactorWording.Capitalized(silent)}: this card is the published score's; the model's estimate is recorded for monitoring, not shown._"
                    : $"{card.Detail}\n\n_Go-live gate off (Models:GoLive:Required is false, a demonstration): {silent}; in production it would run silent until it is._",
            };
        }

        if (fallback is not null)
        {
            card = card with { Detail = $"{card.Detail}\n\n**Data:** from the ClinicalCds store (its last import), not the EHR's, which could not be had in full ({PrefetchResolver.Summary(fallback)})." };
        }

        var issued = new IssuedCard(card.Uuid, service.Id, request.HookInstance, request.PatientId, card.Indicator, card.Summary, now,
            [.. (card.Suggestions ?? []).Select(s => s.Uuid)], [.. (card.OverrideReasons ?? []).Select(r => CdsCoding.Token(r.System, r.Code))]);

        // CDS Hooks 2.0 "System Action": the EHR files the assessment shown on the card.
        IReadOnlyList<CdsAction>? systemActions = options.SystemActions
            ? [new CdsAction("create", "Record this risk assessment in the patient's chart",
                JsonNode.Parse(FhirJson.ToUtf8(RiskAssessments.Proposed(scored, now)))!.AsObject())]
            : null;
        return (request, CdsAnswer.Ok(new CdsResponse([card], systemActions)) with { Served = kept, Issued = [issued] }, silent is not null && goLive.Required ? $"card {card.Indicator} (published score; {silent})" : $"card {card.Indicator}");
    }

    /// <summary>Why a model's answer is not live here ("readmission 0.9.0 has not gone live here"); null for a live version or a published score.</summary>
    private string? NotLive(PatientRisk scored)
    {
        var name = scored.Explanation.Risk.Name;
        return RiskAssessments.ProbabilityOf(scored.Explanation) is not null
            && models.Find(name)?.Card.Version is { } version
            && !serving.Versions(name).State.Live.Contains(version)
            ? $"{name} {version} has not gone live here (no local validation or acceptance: clinicalcds models go-live)"
            : null;
    }

    private sealed record Risk(PatientRisk? Scored, string? Error, string? NotScored = null);

    private static Risk Explain(
        CdsServiceDefinition service, IReadOnlyList<RiskDefinition> risks, HookRequest request, PatientTimeline timeline, DateTimeOffset now, IRiskModels models)
    {
        if (service.Hook == "patient-view")
        {
            // patient-view: the first of the service's risks with a stay to score (by default the stay in progress shows
            // its deterioration risk, else a discharge within 30 days its readmission risk).
            var reasons = new List<string>();
            foreach (var candidate in risks)
            {
                var choice = candidate.Choose(timeline, now);
                if (choice.Target is { } target)
                {
                    return Scored(candidate, timeline, target, models);
                }

                reasons.Add($"{candidate.Noun}: {choice.SkipReason}");
            }

            return new Risk(null, null, string.Join("; ", reasons));
        }

        var stay = timeline.Encounter(request.EncounterId!);
        if (stay?.Start is null || stay.Start > now)
        {
            return new Risk(null, $"Encounter/{request.EncounterId} is not in the patient's data (or has no start).");
        }

        // Who is scored is the risk's rule, as for runs and training (RiskDefinition.ChooseStay): never the dead, only
        // the model's population; a stay that has ended is judged at its end, so observations after discharge never count.
        var risk = risks[0];
        var chosen = risk.ChooseStay(timeline, stay, now);
        return chosen.Target is { } named ? Scored(risk, timeline, named, models) : new Risk(null, null, chosen.SkipReason);
    }

    private static Risk Scored(RiskDefinition risk, PatientTimeline timeline, RiskTarget target, IRiskModels models) =>
        new(RiskEngine.Score(risk, timeline, target, models), null);
}
