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
        for (var index = 0; index < entries.GetArrayLength(); index++)
        {
            var entry = entries[index];
            var resource = FhirValues.Property(entry, "resource");
            if (entry.ValueKind != JsonValueKind.Object || (resource.ValueKind != JsonValueKind.Undefined && TypeOf(resource) is null))
            {
                return Invalid($"Bundle.entry[{index}] does not hold a FHIR resource.");
            }

            if (resource.ValueKind == JsonValueKind.Object && FhirValues.String(FhirValues.Property(entry, "search"), "mode") != "outcome")
            {
                resources.Add(resource);
            }
        }

        var next = FhirValues.Items(payload, "link").FirstOrDefault(l => FhirValues.String(l, "relation") == "next");
        return new FhirPayload(FhirPayloadKind.Bundle, resources, FhirValues.String(next, "url"), null);
    }

    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement;

    private static FhirPayload Invalid(string problem) => new(FhirPayloadKind.Invalid, [], null, problem);

    private static string? TypeOf(JsonElement element) =>
        FhirValues.String(element, "resourceType") is { } type && ModelInfo.IsKnownResource(type) ? type : null;
}
