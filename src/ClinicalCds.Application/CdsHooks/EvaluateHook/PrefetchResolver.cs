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
/// fetched from the fhirServer with the client's access token (all such keys at once). A searchset Bundle with a
/// <c>next</c> link is one page of a larger result — a client that sends only its first page sends a partial chart — so
/// that key is fetched in full from the fhirServer too, never scored as it is; when it cannot be, the key is
/// unavailable. Resources are read from the request's own JSON by the one <see cref="FactMapper"/>, never parsed a
/// second time.
/// </summary>
public static partial class PrefetchResolver
{
    public static async Task<PrefetchOutcome> ResolveAsync(
        CdsServiceDefinition service, HookRequest request, IFhirServerClient fhirServer, Terminology terminology, CancellationToken cancellationToken)
    {
        var facts = new List<ProjectedFacts>();
        var invalid = new List<string>();
        var toFetch = new List<(string Key, string Template)>();
        var partial = new HashSet<string>(StringComparer.Ordinal);
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

            // One page of a larger result, or a searchset that says it is not whole (a total above its matches, an
            // outcome entry with an error or warning): fetched in full from the fhirServer, never scored as it is.
            if (payload.Kind == FhirPayloadKind.Bundle && (payload.NextLink is not null || payload.IncompleteAfter(0) is not null))
            {
                toFetch.Add((key, template));
                partial.Add(key);
                continue;
            }

            var problems = new List<string>();
            facts.AddRange(FhirTimeline.Facts(payload.Resources, problems, terminology));
            if (payload.Problem is not null)
            {
                problems.Add(payload.Problem);
            }

            invalid.AddRange(problems.Select(p => $"prefetch '{key}': {p}"));
        }

        var unavailable = new List<string>();
        var fetches = toFetch.Select(item => FetchKeyAsync(item.Key, item.Template, partial.Contains(item.Key), request, fhirServer, terminology, cancellationToken));
        foreach (var (keyFacts, failure) in await System.Threading.Tasks.Task.WhenAll(fetches))
        {
            facts.AddRange(keyFacts);
            unavailable.AddRange(failure);
        }

        facts.AddRange(await ReferencedLocationsAsync(facts, request, fhirServer, cancellationToken));
        return new PrefetchOutcome(facts, invalid, unavailable);
    }

    /// <summary>
    /// The Location resources that encounters name only by reference ("Location/123", no display to tell an ICU by) and
    /// that neither the prefetch nor the fetched pages held, read from the fhirServer when one was given — so a stay at an
    /// ICU written that way is an ICU stay. A location that cannot be read stays what its reference says (unknown).
    /// </summary>
    private static async Task<IReadOnlyList<ProjectedFacts>> ReferencedLocationsAsync(
        IReadOnlyList<ProjectedFacts> facts, HookRequest request, IFhirServerClient fhirServer, CancellationToken cancellationToken)
    {
        if (request.FhirServer is null)
        {
            return [];
        }

        var known = facts.Select(f => f.Location?.LocationId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var wanted = facts.Select(f => f.Encounter).OfType<EncounterFact>()
            .SelectMany(e => e.Locations)
            .Where(l => !l.IsIntensiveCare && l.Display is null && l.LocationId is { } id && !known.Contains(id))
            .Select(l => l.LocationId!)
            .Distinct(StringComparer.Ordinal)
            .Take(MaxLocationReads)
            .ToList();
        var reads = wanted.Select(async id =>
        {
            var read = new List<ProjectedFacts>();
            await foreach (var page in fhirServer.FetchPagesAsync(request.FhirServer, request.FhirServerListed, request.AccessToken, $"Location/{Uri.EscapeDataString(id)}", cancellationToken))
            {
                if (page.Succeeded)
                {
                    read.AddRange(FhirTimeline.Facts(page.Resources).Where(f => f.Location is not null));
                }
            }

            return read;
        });
        return [.. (await System.Threading.Tasks.Task.WhenAll(reads)).SelectMany(r => r)];
    }

    /// <summary>Distinct referenced locations read per hook call at most (a stay rarely has more wards than this).</summary>
    private const int MaxLocationReads = 20;

    /// <summary>
    /// One key from the fhirServer, its pages mapped to facts as they arrive (while the next page is being fetched); the
    /// fhirServer's values are checked as the prefetch's are, and what it sent wrong is data we could not get.
    /// </summary>
    private static async Task<(List<ProjectedFacts> Facts, List<string> Unavailable)> FetchKeyAsync(
        string key, string template, bool partial, HookRequest request, IFhirServerClient fhirServer, Terminology terminology, CancellationToken cancellationToken)
    {
        var facts = new List<ProjectedFacts>();
        var problems = new List<string>();
        string? failure = request.FhirServer is null ? request.FhirServerRefusal ?? "no fhirServer was given" : null;
        var query = Expand(template, request);
        failure ??= query is null ? "the template needs context the request does not have" : null;
        if (failure is null)
        {
            await foreach (var page in fhirServer.FetchPagesAsync(request.FhirServer!, request.FhirServerListed, request.AccessToken, query!, cancellationToken))
            {
                if (!page.Succeeded)
                {
                    failure = page.Failure;
                    break;
                }

                facts.AddRange(FhirTimeline.Facts(page.Resources, problems, terminology));
            }
        }

        if (failure is not null)
        {
            return ([], [partial
                ? $"{key}: the prefetch sent part of a search (a next link, a total above its matches, or an outcome with an error or warning) and the whole could not be fetched: {failure}"
                : $"{key}: {failure}"]);
        }

        return (facts, [.. problems.Select(p => $"{key}: the fhirServer sent {p}")]);
    }

    /// <summary>
    /// What could not be had, each reason once with the keys it applies to ("observations, conditions: no fhirServer was
    /// given"): the words of a card's Data paragraph.
    /// </summary>
    public static string Summary(IEnumerable<string> unavailable) => string.Join("; ", unavailable
        .Select(u => u.Split(": ", 2))
        .GroupBy(parts => parts.Length == 2 ? parts[1] : string.Empty, StringComparer.Ordinal)
        .Select(g => g.Key.Length == 0 ? string.Join(", ", g.Select(p => p[0])) : $"{string.Join(", ", g.Select(p => p[0]))}: {g.Key}"));

    /// <summary>A search query with <c>_count</c> added when it names none; a read ("Patient/1") as it is.</summary>
    public static string WithPageSize(string query, int pageSize) =>
        !query.Contains('?', StringComparison.Ordinal) || query.Split('?', 2)[1].Split('&').Any(p => p.StartsWith("_count=", StringComparison.Ordinal))
            ? query
            : $"{query}&_count={pageSize}";

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
