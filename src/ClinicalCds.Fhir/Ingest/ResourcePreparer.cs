using System.Security.Cryptography;
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
    /// <summary>Parses, validates and prepares one resource given as UTF-8 JSON.</summary>
    public static Preparation Prepare(ReadOnlySpan<byte> utf8Json)
    {
        var resource = FhirJson.TryParse(utf8Json, out var errors);
        return resource is null ? new Preparation(null, errors) : Prepare(resource);
    }

    public static Preparation Prepare(Resource resource)
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

        if (resource.Meta is { } meta)
        {
            meta.VersionId = null;
            meta.LastUpdated = null;
            if (!meta.EnumerateElements().Any())
            {
                resource.Meta = null;
            }
        }

        var json = FhirJson.ToUtf8(resource);
        return new Preparation(
            new PreparedResource(
                resource.TypeName,
                resource.Id,
                PatientReferences.PatientIdOf(resource),
                json,
                SHA256.HashData(json),
                FactMapper.Map(resource)),
            []);
    }

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    // FHIR R4 id datatype: https://hl7.org/fhir/R4/datatypes.html#id
    [GeneratedRegex("^[A-Za-z0-9\\-\\.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
