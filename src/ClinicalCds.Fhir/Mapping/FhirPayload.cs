using System.Text.Json;
using Hl7.Fhir.Model;

namespace ClinicalCds.Fhir.Mapping;

public enum FhirPayloadKind
{
    Resource,
    Bundle,
    OperationOutcome,
    Invalid,
}

/// <summary>
/// A FHIR R4 JSON payload as a CDS Hooks prefetch value or a fhirServer answer holds it: one resource, a Bundle of
/// them (search entries that are outcomes left out) with its next-page link, an OperationOutcome, or not FHIR.
/// Only the shape is checked here; <see cref="FactMapper"/> checks the values it reads.
/// </summary>
public sealed record FhirPayload(FhirPayloadKind Kind, IReadOnlyList<JsonElement> Resources, string? NextLink, string? Problem)
{
    /// <summary>
    /// Why this Bundle says it is not the whole result, or null: an OperationOutcome entry (<c>search.mode = outcome</c>)
    /// with an error or a warning — the CDS Hooks specification asks services to check for them — or, on a searchset's
    /// last page (no <c>next</c> link), a <c>total</c> larger than the matches it holds and the pages before it.
    /// </summary>
    public string? Incomplete { get; init; }

    /// <summary>The searchset's <c>total</c>, when it states one.</summary>
    public int? Total { get; init; }

    /// <summary>
    /// <see cref="Incomplete"/> for the last of a search's pages, given how many matches the pages before it held: a
    /// stated total above what all the pages held says matches were left out.
    /// </summary>
    public string? IncompleteAfter(int earlierMatches) =>
        Incomplete ?? (NextLink is null && Total is { } total && total > earlierMatches + Resources.Count
            ? $"the searchset states {total} matches but holds {earlierMatches + Resources.Count} and has no next page"
            : null);

    public static FhirPayload Read(JsonElement payload)
    {
        if (TypeOf(payload) is not { } type)
        {
            return Invalid("it is not a FHIR resource (an object with a known resourceType).");
        }

        switch (type)
        {
            case "OperationOutcome":
                return new FhirPayload(FhirPayloadKind.OperationOutcome, [], null, null);
            case "Bundle":
                break;
            default:
                return new FhirPayload(FhirPayloadKind.Resource, [payload], null, null);
        }

        var entries = FhirValues.Property(payload, "entry");
        if (entries.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            entries = EmptyArray;
        }
        else if (entries.ValueKind != JsonValueKind.Array)
        {
            return Invalid("Bundle.entry must be an array.");
        }

        var resources = new List<JsonElement>();
        string? incomplete = null;
        for (var index = 0; index < entries.GetArrayLength(); index++)
        {
            var entry = entries[index];
            var resource = FhirValues.Property(entry, "resource");
            if (entry.ValueKind != JsonValueKind.Object || (resource.ValueKind != JsonValueKind.Undefined && TypeOf(resource) is null))
            {
                return Invalid($"Bundle.entry[{index}] does not hold a FHIR resource.");
            }

            if (FhirValues.String(FhirValues.Property(entry, "search"), "mode") == "outcome")
            {
                incomplete ??= OutcomeProblem(resource);
            }
            else if (resource.ValueKind == JsonValueKind.Object)
            {
                resources.Add(resource);
            }
        }

        var next = FhirValues.Items(payload, "link").FirstOrDefault(l => FhirValues.String(l, "relation") == "next");
        var total = FhirValues.Property(payload, "total") is { ValueKind: JsonValueKind.Number } t && t.TryGetInt32(out var n) ? n : (int?)null;
        return new FhirPayload(FhirPayloadKind.Bundle, resources, FhirValues.String(next, "url"), null) { Incomplete = incomplete, Total = total };
    }

    /// <summary>An outcome entry's error or warning, in words; null for information only.</summary>
    private static string? OutcomeProblem(JsonElement outcome)
    {
        var issue = FhirValues.Items(outcome, "issue").FirstOrDefault(i => FhirValues.String(i, "severity") is "fatal" or "error" or "warning");
        if (issue.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var said = FhirValues.String(issue, "diagnostics") ?? FhirValues.String(FhirValues.Property(issue, "details"), "text") ?? FhirValues.String(issue, "code");
        return $"the search reported {FhirValues.String(issue, "severity")}: {said}";
    }

    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement;

    private static FhirPayload Invalid(string problem) => new(FhirPayloadKind.Invalid, [], null, problem);

    private static string? TypeOf(JsonElement element) =>
        FhirValues.String(element, "resourceType") is { } type && ModelInfo.IsKnownResource(type) ? type : null;
}
