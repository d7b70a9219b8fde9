using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir;
using Hl7.Fhir.Model;

namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>The patient's resources for a hook call, or why they could not all be had.</summary>
public sealed record PrefetchOutcome(IReadOnlyList<Resource> Resources, IReadOnlyList<string> InvalidKeys, IReadOnlyList<string> Unavailable);

/// <summary>
/// CDS Hooks 2.0 prefetch rules ("Prefetch" and "FHIR Resource Access"): a key that is present is used as sent; a
/// <c>null</c> value means the client has no data for it; a missing key, or one whose value is an OperationOutcome, is
/// fetched from the fhirServer with the client's access token (all such keys at once).
/// </summary>
public static partial class PrefetchResolver
{
    public static async Task<PrefetchOutcome> ResolveAsync(
        CdsServiceDefinition service, HookRequest request, IFhirServerClient fhirServer, CancellationToken cancellationToken)
    {
        var resources = new List<Resource>();
        var invalid = new List<string>();
        var toFetch = new List<(string Key, string Template)>();
        foreach (var (key, template) in service.Prefetch ?? new Dictionary<string, string>())
        {
            if (!request.Prefetch.TryGetValue(key, out var value))
            {
                toFetch.Add((key, template));
                continue;
            }

            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var parsed = value.ValueKind == JsonValueKind.Object
                ? FhirJson.TryParse(JsonMarshal.GetRawUtf8Value(value), out _)
                : null;
            switch (parsed)
            {
                case OperationOutcome:
                    toFetch.Add((key, template));
                    break;
                case Bundle bundle:
                    resources.AddRange(bundle.Entry.Select(e => e.Resource).OfType<Resource>());
                    break;
                case Resource resource:
                    resources.Add(resource);
                    break;
                default:
                    invalid.Add(key);
                    break;
            }
        }

        var unavailable = new List<string>();
        var fetches = toFetch.Select(async item =>
        {
            if (request.FhirServer is null)
            {
                return (item.Key, Fetch: new FhirFetch([], "no fhirServer was given"));
            }

            var query = Expand(item.Template, request);
            return query is null
                ? (item.Key, Fetch: new FhirFetch([], "the template needs context the request does not have"))
                : (item.Key, Fetch: await fhirServer.FetchAsync(request.FhirServer, request.AccessToken, query, cancellationToken));
        });
        foreach (var (key, fetch) in await System.Threading.Tasks.Task.WhenAll(fetches))
        {
            if (fetch.Succeeded)
            {
                resources.AddRange(fetch.Resources);
            }
            else
            {
                unavailable.Add($"{key}: {fetch.Failure}");
            }
        }

        return new PrefetchOutcome(resources, invalid, unavailable);
    }

    /// <summary>Replaces <c>{{context.name}}</c> tokens with the URL-encoded context values; null when one is missing.</summary>
    public static string? Expand(string template, HookRequest request)
    {
        var missing = false;
        var expanded = Token().Replace(template, match =>
        {
            if (request.Context.TryGetValue(match.Groups[1].Value, out var value))
            {
                return Uri.EscapeDataString(value);
            }

            missing = true;
            return string.Empty;
        });
        return missing ? null : expanded;
    }

    [GeneratedRegex(@"\{\{\s*context\.([A-Za-z0-9_]+)\s*\}\}")]
    private static partial Regex Token();
}
