using System.Text.Json;

namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>A CDS Hooks request, validated against the service it was sent to.</summary>
public sealed record HookRequest(
    string Hook,
    string HookInstance,
    Uri? FhirServer,
    string? AccessToken,
    IReadOnlyDictionary<string, string> Context,
    IReadOnlyDictionary<string, JsonElement> Prefetch)
{
    public string PatientId => Context["patientId"];

    public string? EncounterId => Context.GetValueOrDefault("encounterId");

    public string? UserId => Context.GetValueOrDefault("userId");

    /// <summary>Whether <see cref="FhirServer"/> is one the configuration lists (<see cref="FhirServerAccess"/>): then it may be at a private address.</summary>
    public bool FhirServerListed { get; init; }

    /// <summary>Why the fhirServer the request named is not followed (<see cref="FhirServerAccess"/>); <see cref="FhirServer"/> is then null.</summary>
    public string? FhirServerRefusal { get; init; }

    /// <summary>The request with its fhirServer judged for <paramref name="clientId"/>: refused ones dropped (with their token), with the reason.</summary>
    public HookRequest FollowingOnly(CdsHooksOptions options, string? clientId)
    {
        if (FhirServer is null)
        {
            return this;
        }

        var access = FhirServerAccess.Of(FhirServer, options, clientId);
        return access.Refusal is { } refusal
            ? this with { FhirServer = null, AccessToken = null, FhirServerRefusal = refusal }
            : this with { FhirServerListed = access.Listed };
    }

    /// <summary>Reads and checks a request body (CDS Hooks 2.0 "HTTP Request"): every problem is named.</summary>
    public static (HookRequest? Request, IReadOnlyList<string> Errors) Read(JsonElement body, CdsServiceDefinition service)
    {
        var errors = new List<string>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, ["The request body must be a JSON object."]);
        }

        var hook = String(body, "hook");
        if (hook is null)
        {
            errors.Add("'hook' is required.");
        }
        else if (hook != service.Hook)
        {
            errors.Add($"Service '{service.Id}' answers the '{service.Hook}' hook, not '{hook}'.");
        }

        var hookInstance = String(body, "hookInstance");
        if (string.IsNullOrWhiteSpace(hookInstance))
        {
            errors.Add("'hookInstance' is required.");
        }

        Uri? fhirServer = null;
        if (body.TryGetProperty("fhirServer", out var server) && server.ValueKind != JsonValueKind.Null)
        {
            if (server.ValueKind != JsonValueKind.String || !Uri.TryCreate(server.GetString(), UriKind.Absolute, out fhirServer)
                || fhirServer.Scheme is not ("https" or "http"))
            {
                errors.Add("'fhirServer' must be an absolute http(s) URL.");
            }
        }

        string? accessToken = null;
        if (body.TryGetProperty("fhirAuthorization", out var authorization) && authorization.ValueKind != JsonValueKind.Null)
        {
            accessToken = authorization.ValueKind == JsonValueKind.Object ? String(authorization, "access_token") : null;
            if (accessToken is null || String(authorization, "token_type") is not { } type || !type.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add("'fhirAuthorization' needs an 'access_token' and token_type 'Bearer'.");
            }
            else if (fhirServer is null)
            {
                errors.Add("'fhirAuthorization' was sent without a 'fhirServer'.");
            }
        }

        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!body.TryGetProperty("context", out var contextElement) || contextElement.ValueKind != JsonValueKind.Object)
        {
            errors.Add("'context' is required and must be an object.");
        }
        else
        {
            foreach (var field in contextElement.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.String))
            {
                context[field.Name] = field.Value.GetString()!;
            }

            foreach (var required in CdsServices.RequiredContext(service.Hook).Where(f => string.IsNullOrWhiteSpace(context.GetValueOrDefault(f))))
            {
                errors.Add($"context.{required} is required for the {service.Hook} hook.");
            }
        }

        var prefetch = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (body.TryGetProperty("prefetch", out var prefetchElement) && prefetchElement.ValueKind != JsonValueKind.Null)
        {
            if (prefetchElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add("'prefetch' must be an object.");
            }
            else
            {
                foreach (var entry in prefetchElement.EnumerateObject())
                {
                    prefetch[entry.Name] = entry.Value;
                }
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new HookRequest(hook!, hookInstance!, fhirServer, accessToken, context, prefetch), errors);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
