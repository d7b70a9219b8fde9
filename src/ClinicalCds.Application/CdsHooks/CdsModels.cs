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

/// <summary>Why a CDS Hooks call, or feedback on its cards, is not answered with a body.</summary>
public enum CdsFailure
{
    /// <summary>The request is malformed or names what does not exist (a card not issued, a suggestion not offered).</summary>
    InvalidRequest,

    /// <summary>There is no such CDS Service.</summary>
    UnknownService,

    /// <summary>The patient's data could not be had in full, or the encounter named is not in it.</summary>
    DataUnavailable,

    /// <summary>Feedback that contradicts the outcome a card already has.</summary>
    Conflict,
}

/// <summary>
/// What a CDS Hooks use case answers: a body to send as JSON (cards, an acknowledgement), or a failure with what is
/// wrong. Which HTTP status each becomes is the API's to say (<see cref="Abstractions.ICdsCallStatuses"/>).
/// </summary>
public sealed record CdsAnswer(object? Body, CdsFailure? Failure, IReadOnlyList<string> Problems)
{
    /// <summary>What the call was about, for the audit trail: its hook instance, user and patient (when the request could be read) and its outcome in words.</summary>
    public HookCall? Call { get; init; }

    /// <summary>The score behind an answered hook's card or silence, to be recorded with the call (null: none to keep).</summary>
    public Abstractions.HookScore? Served { get; init; }

    /// <summary>The cards an answered hook issued, to be recorded with the call so that feedback may name them.</summary>
    public IReadOnlyList<Abstractions.IssuedCard> Issued { get; init; } = [];

    public static CdsAnswer Ok(object body) => new(body, null, []);

    public static CdsAnswer Failed(CdsFailure failure, params IReadOnlyList<string> problems) => new(null, failure, problems);
}

/// <summary>A hook call as the audit trail records it (never its data, never its token).</summary>
public sealed record HookCall(string? HookInstance, string? UserId, string? PatientId, string Outcome);

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
