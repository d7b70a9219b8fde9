using System.Text.Json;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>POST /cds-services/{id}: a hook call from an authenticated CDS Client (<paramref name="ClientId"/> is its issuer).</summary>
public sealed record EvaluateHookCommand(string ServiceId, JsonElement Body, string? ClientId) : ICommand<CdsAnswer>, IAuditedCdsCall;
