using System.Diagnostics;
using ClinicalCds.Application.Abstractions;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>A call of a CDS Service that leaves a cds_audit row: a hook call, or feedback on a card.</summary>
public interface IAuditedCdsCall
{
    string ServiceId { get; }

    string? ClientId { get; }

    /// <summary>What the audit row calls it when the use case says nothing more: "hook" or "feedback".</summary>
    string Kind => "hook";
}

/// <summary>
/// The record of CDS calls, as one pipeline step: the use case evaluates and answers, this step writes. Every hook call
/// and every feedback call that reaches its use case leaves a cds_audit row — time, service, client, the answer's hook
/// instance, user, patient, status and outcome (a feedback row's outcome starts "feedback"), and how long it took; never
/// the request's data or token — and an answered hook's served score and issued cards go with it in the same
/// transaction, so a card feedback may name always has its audited call. (Calls refused before the use case, 401 and
/// 429, are audited where they are refused.)
/// </summary>
public sealed class HookAuditBehavior<TCommand>(ICdsStore store, ICdsCallStatuses statuses, TimeProvider clock) : IPipelineBehavior<TCommand, CdsAnswer>
    where TCommand : IAuditedCdsCall, IMessage
{
    public async ValueTask<CdsAnswer> Handle(TCommand message, MessageHandlerDelegate<TCommand, CdsAnswer> next, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var answer = await next(message, cancellationToken);
        var outcome = answer.Failure?.ToString() ?? "answered";
        var call = answer.Call ?? new HookCall(null, null, null, message.Kind == "hook" ? outcome : $"{message.Kind}: {outcome}");
        await store.RecordCallAsync(
            new HookAudit(
                clock.GetUtcNow(), message.ServiceId, call.HookInstance, message.ClientId, call.UserId, call.PatientId,
                statuses.Of(answer.Failure), call.Outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds),
            answer.Served, answer.Issued, CancellationToken.None);
        return answer;
    }
}
