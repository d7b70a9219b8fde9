using System.Text.Json;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.RecordFeedback;

/// <summary>POST /cds-services/{id}/feedback (CDS Hooks 2.0 "Feedback").</summary>
public sealed record RecordFeedbackCommand(string ServiceId, JsonElement Body, string? ClientId) : ICommand<CdsAnswer>;
