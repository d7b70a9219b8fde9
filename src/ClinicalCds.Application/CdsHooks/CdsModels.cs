using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ClinicalCds.Application.CdsHooks;

// CDS Hooks 2.0 messages (https://cds-hooks.hl7.org/2.0/). Our own records: the Firely SDK's CDS Hooks types are experimental.

public sealed record CdsServiceDefinition(
    string Hook,
    string Id,
    string Title,
    string Description,
    IReadOnlyDictionary<string, string>? Prefetch,
    string? UsageRequirements);

public sealed record DiscoveryResponse(IReadOnlyList<CdsServiceDefinition> Services);

public sealed record CdsCoding(string Code, string System, string? Display = null)
{
    /// <summary>A coding as one text, FHIR token style (<c>system|code</c>): how offered override reasons are kept.</summary>
    public static string Token(string system, string code) => $"{system}|{code}";
}

public sealed record CdsSource(string Label, string? Url = null, string? Icon = null, CdsCoding? Topic = null);

public sealed record CdsLink(string Label, string Url, string Type, string? AppContext = null);

public sealed record CdsAction(string Type, string Description, JsonObject? Resource = null, string? ResourceId = null);

public sealed record CdsSuggestion(string Label, Guid Uuid, bool? IsRecommended, IReadOnlyList<CdsAction> Actions);

public sealed record CdsCard(
    Guid Uuid,
    string Summary,
    string Indicator,
    CdsSource Source,
    string? Detail = null,
    IReadOnlyList<CdsSuggestion>? Suggestions = null,
    string? SelectionBehavior = null,
    IReadOnlyList<CdsCoding>? OverrideReasons = null,
    IReadOnlyList<CdsLink>? Links = null);

public sealed record CdsResponse(IReadOnlyList<CdsCard> Cards, IReadOnlyList<CdsAction>? SystemActions = null);

/// <summary>An HTTP answer of the CDS Hooks endpoints: JSON for success, a FHIR OperationOutcome for errors.</summary>
public sealed record CdsResult(int Status, byte[] Body, bool IsOperationOutcome)
{
    public static CdsResult Json<T>(T value, int status = 200) => new(status, JsonSerializer.SerializeToUtf8Bytes(value, CdsJson.Options), false);

    public static CdsResult Outcome(int status, byte[] operationOutcome) => new(status, operationOutcome, true);
}

public static class CdsJson
{
    /// <summary>camelCase, nulls left out (CDS Hooks fields are optional, not null).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Readable Markdown and names in cards; the answers are JSON documents, never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
