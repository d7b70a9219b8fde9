using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Fhir.Mapping;

namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>
/// The patient's facts for a hook call, or why they could not all be had: prefetch keys whose value is not FHIR R4
/// (each with its reasons) and keys that could not be fetched.
/// </summary>
public sealed record PrefetchOutcome(IReadOnlyList<ProjectedFacts> Facts, IReadOnlyList<string> Invalid, IReadOnlyList<string> Unavailable);

/// <summary>
/// CDS Hooks 2.0 prefetch rules ("Prefetch" and "FHIR Resource Access"): a key that is present is used as sent; a
/// <c>null</c> value means the client has no data for it; a missing key, or one whose value is an OperationOutcome, is
/// fetched from the fhirServer with the client's access token (all such keys at once). Resources are read from the
/// request's own JSON by the one <see cref="FactMapper"/>, never parsed a second time.
/// </summary>
public static partial class PrefetchResolver
{
    public static async Task<PrefetchOutcome> ResolveAsync(
        CdsServiceDefinition service, HookRequest request, IFhirServerClient fhirServer, CancellationToken cancellationToken)
    {
        var facts = new List<ProjectedFacts>();
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

            var payload = FhirPayload.Read(value);
            if (payload.Kind == FhirPayloadKind.OperationOutcome)
            {
                toFetch.Add((key, template));
                continue;
            }

            var problems = new List<string>();
            facts.AddRange(payload.Resources.Select(r => FactMapper.Map(r, problems)));
            if (payload.Problem is not null)
            {
                problems.Add(payload.Problem);
            }

            invalid.AddRange(problems.Select(p => $"prefetch '{key}': {p}"));
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
                // The fhirServer's values are checked as the prefetch's are; what it sent wrong is data we could not get.
                var problems = new List<string>();
                facts.AddRange(fetch.Resources.Select(r => FactMapper.Map(r, problems)));
                unavailable.AddRange(problems.Select(p => $"{key}: the fhirServer sent {p}"));
            }
            else
            {
                unavailable.Add($"{key}: {fetch.Failure}");
            }
        }

        return new PrefetchOutcome(facts, invalid, unavailable);
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
