using System.Text.Json;
using ClinicalCds.Application.CdsHooks.EvaluateHook;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.RecordFeedback;

/// <summary>POST /cds-services/{id}/feedback (CDS Hooks 2.0 "Feedback").</summary>
public sealed record RecordFeedbackCommand(string ServiceId, JsonElement Body, string? ClientId) : ICommand<CdsAnswer>, IAuditedCdsCall
{
    /// <summary>Audited as feedback, not as a hook call (issue 33 item 8).</summary>
    public string Kind => "feedback";
}
