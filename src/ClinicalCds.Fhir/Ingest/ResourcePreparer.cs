using ClinicalCds.Domain.Clinical;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalCds.Fhir.Mapping;
using Hl7.Fhir.Model;

namespace ClinicalCds.Fhir.Ingest;

/// <summary>Outcome of preparing one resource: the prepared resource, or the reasons it was rejected.</summary>
public sealed record Preparation(PreparedResource? Resource, IReadOnlyList<string> Errors)
{
    public static Preparation Rejected(params string[] errors) => new(null, errors);
}

public static partial class ResourcePreparer
{
    /// <summary>
    /// Parses, validates and prepares one resource given as UTF-8 JSON, keeping that JSON as received. A resource the
    /// <see cref="StructureCheck"/> is certain of is prepared straight from its JSON; every other one goes through
    /// Firely's strict parser, which decides and explains.
    /// </summary>
    public static Preparation Prepare(byte[] utf8Json, Terminology? terminology = null)
    {
        if (JsonText.HasUnpairedSurrogate(utf8Json))
        {
            return Preparation.Rejected(JsonText.Problem);
        }

        if (PrepareChecked(utf8Json, terminology) is { } quick)
        {
            return quick;
        }

        var resource = FhirJson.TryParse(utf8Json, out var errors);
        return resource is null ? new Preparation(null, errors) : Prepare(resource, utf8Json, terminology);
    }

    /// <summary>
    /// The quick path: valid JSON the structure check is certain of, with a valid id, not a Bundle, and without
    /// another server's meta.versionId or meta.lastUpdated (those are removed by the strict path). Otherwise null.
    /// </summary>
    private static Preparation? PrepareChecked(byte[] utf8Json, Terminology? terminology)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!StructureCheck.IsCertainlyValid(root)
                || root.GetProperty("resourceType").GetString() is not { } type || type == "Bundle"
                || !root.TryGetProperty("id", out var id) || id.GetString() is not { } resourceId || !IsValidId(resourceId)
                || (root.TryGetProperty("meta", out var meta) && (meta.TryGetProperty("versionId", out _) || meta.TryGetProperty("lastUpdated", out _))))
            {
                return null;
            }

            return Prepared(type, resourceId, utf8Json, root, terminology);
        }
    }

    /// <summary>
    /// The resource ready for the store: its facts are read from the very JSON that is stored, as every other path reads
    /// them. A ConceptMap is part of the terminology the facts are read with: one it could not use is refused, with why.
    /// </summary>
    private static Preparation Prepared(string type, string id, byte[] json, JsonElement root, Terminology? terminology)
    {
        if (type == "ConceptMap")
        {
            Terminologies.ConceptMaps.Read(json, out var problems);
            if (problems.Count > 0)
            {
                return Preparation.Rejected([.. problems.Select(p => $"ConceptMap/{id} cannot be used as terminology: {p}")]);
            }
        }

        return new(new PreparedResource(type, id, PatientReferences.PatientIdOf(root), json, FactMapper.Map(root, terminology: terminology)), []);
    }

    /// <summary>Prepares a parsed resource; without <paramref name="receivedJson"/> it is serialized.</summary>
    public static Preparation Prepare(Resource resource, byte[]? receivedJson = null, Terminology? terminology = null)
    {
        if (string.IsNullOrEmpty(resource.Id))
        {
            return Preparation.Rejected($"{resource.TypeName} has no id.");
        }

        if (!IdPattern().IsMatch(resource.Id))
        {
            return Preparation.Rejected($"{resource.TypeName} id is not a valid FHIR id ([A-Za-z0-9-.]{{1,64}}).");
        }

        if (resource is Bundle)
        {
            return Preparation.Rejected("A Bundle is not stored as a resource; post it to /fhir as a transaction or batch.");
        }

        if (resource.Meta is { } meta && (meta.VersionId is not null || meta.LastUpdated is not null))
        {
            // Another server's version and time would make a re-import of the same content look like a change.
            meta.VersionId = null;
            meta.LastUpdated = null;
            if (!meta.EnumerateElements().Any())
            {
                resource.Meta = null;
            }

            receivedJson = null;
        }

        var json = receivedJson ?? FhirJson.ToUtf8(resource);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return Preparation.Rejected($"Invalid JSON: {e.Message}");
        }

        using (document)
        {
            return Prepared(resource.TypeName, resource.Id, json, document.RootElement, terminology);
        }
    }

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    // FHIR R4 id datatype: https://hl7.org/fhir/R4/datatypes.html#id
    [GeneratedRegex("^[A-Za-z0-9\\-\\.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
