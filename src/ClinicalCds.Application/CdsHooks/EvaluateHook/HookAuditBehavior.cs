using System.Diagnostics;
using ClinicalCds.Application.Abstractions;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>
/// The audit trail of hook calls, as one pipeline step: every call that reaches the use case leaves a cds_audit row —
/// time, service, client, the answer's hook instance, user, patient, status and outcome, and how long it took; never
/// the request's data or token. (Calls refused before the use case, 401 and 429, are audited where they are refused.)
/// </summary>
public sealed class HookAuditBehavior(ICdsStore store, TimeProvider clock) : IPipelineBehavior<EvaluateHookCommand, CdsAnswer>
{
    public async ValueTask<CdsAnswer> Handle(EvaluateHookCommand message, MessageHandlerDelegate<EvaluateHookCommand, CdsAnswer> next, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var answer = await next(message, cancellationToken);
        var call = answer.Call ?? new HookCall(null, null, null, answer.Failure?.ToString() ?? "answered");
        await store.AuditAsync(new HookAudit(
            clock.GetUtcNow(), message.ServiceId, call.HookInstance, message.ClientId, call.UserId, call.PatientId,
            answer.Status, call.Outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds), CancellationToken.None);
        return answer;
    }
}
