using System.Globalization;
using System.Text.Json.Nodes;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;

namespace ClinicalCds.Application.CdsHooks.EvaluateHook;

/// <summary>Turns an explained risk into a CDS Hooks card: indicator from the tier, links, suggestions and override reasons.</summary>
public static class RiskCards
{
    public const string TopicSystem = "http://clinicalcds.org/fhir/CodeSystem/cds-topic";
    public const string OverrideReasonSystem = "http://clinicalcds.org/fhir/CodeSystem/override-reason";

    public static readonly IReadOnlyList<CdsCoding> OverrideReasons =
    [
        new("already-arranged", OverrideReasonSystem, "Follow-up already arranged"),
        new("not-clinically-relevant", OverrideReasonSystem, "Risk not clinically relevant for this patient"),
        new("patient-declined", OverrideReasonSystem, "Patient declined"),
        new("data-incorrect", OverrideReasonSystem, "Data shown is incorrect"),
    ];

    /// <summary>
    /// The configured indicator of a tier, or null when no card is shown. A risk with insufficient data is always an info
    /// card: the clinician must learn that no estimate could be made, and a tier's urgency would claim one. A risk whose
    /// published score raised its alarm is always shown.
    /// </summary>
    public static string? Indicator(RiskExplanation risk, CdsHooksOptions options)
    {
        if (risk.InsufficientData)
        {
            return "info";
        }

        var indicator = options.Indicators.TryGetValue($"{risk.Risk.Name}.{risk.Tier}", out var configured) ? configured : risk.Risk.DefaultIndicator(risk.Tier);
        if (indicator is "info" or "warning" or "critical")
        {
            return indicator;
        }

        // A published score's alarm is shown whatever the configuration says (RiskDefinition.Guardrail): never silenced.
        if (risk.Guardrail is not null)
        {
            return risk.Risk.DefaultIndicator(risk.Tier) ?? "warning";
        }

        return risk.Tier == RiskTier.Low && options.ShowLowRisk ? "info" : null;
    }

    public static CdsCard? Create(RiskExplanation risk, ClinicalFeatures features, CdsHooksOptions options)
    {
        if (Indicator(risk, options) is not { } indicator)
        {
            return null;
        }

        var baseUrl = options.PublicBaseUrl.TrimEnd('/');
        var topic = new CdsCoding(risk.Risk.TopicCode, TopicSystem, risk.Risk.Title);
        // A published score links its paper; a model links its model card page.
        var sourceUrl = risk.Probability is null ? risk.Risk.PublishedScoreUrl : $"{baseUrl}/models/{risk.Risk.Name}";
        return new CdsCard(
            Guid.NewGuid(),
            risk.Summary,
            indicator,
            new CdsSource($"ClinicalCds — {risk.SourceLabel}", sourceUrl, Topic: topic),
            risk.DetailMarkdown,
            risk.Tier == RiskTier.Low || risk.InsufficientData ? null : Suggestions(risk.Risk, features),
            risk.Tier == RiskTier.Low || risk.InsufficientData ? null : "at-most-one",
            OverrideReasons,
            Links(features, options, baseUrl));
    }

    private static List<CdsLink> Links(ClinicalFeatures features, CdsHooksOptions options, string baseUrl)
    {
        var links = new List<CdsLink>
        {
            new("Open in the ClinicalCds worklist", $"{baseUrl}/worklist/patients/{Uri.EscapeDataString(features.PatientId)}", "absolute"),
        };
        if (options.SmartLaunchUrl is { Length: > 0 } launch)
        {
            var appContext = new JsonObject { ["patientId"] = features.PatientId, ["encounterId"] = features.IndexEncounterId }.ToJsonString();
            links.Add(new CdsLink("Review the risk in the ClinicalCds app", launch, "smart", appContext));
        }

        return links;
    }

    /// <summary>The risk's recommended actions as suggestions; one due within a window gets that period after the discharge (or now).</summary>
    private static List<CdsSuggestion> Suggestions(RiskDefinition risk, ClinicalFeatures features)
    {
        var from = features.DischargedAt ?? features.AsOf;
        string Day(DateTimeOffset at) => at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return [.. risk.Actions.Select(action => Suggestion(action.Label, action.Recommended, ServiceRequest(features, action.RequestText,
            action.Within is { } within ? new JsonObject { ["start"] = Day(from), ["end"] = Day(from + within) } : null)))];
    }

    private static CdsSuggestion Suggestion(string label, bool recommended, JsonObject resource) =>
        new(label, Guid.NewGuid(), recommended, [new CdsAction("create", label, resource)]);

    // Coded as text: the receiving EHR maps an orderable from its own catalog; a guessed code would be worse than none.
    private static JsonObject ServiceRequest(ClinicalFeatures features, string text, JsonObject? occurrence)
    {
        var request = new JsonObject
        {
            ["resourceType"] = "ServiceRequest",
            ["status"] = "draft",
            ["intent"] = "proposal",
            ["code"] = new JsonObject { ["text"] = text },
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{features.PatientId}" },
            ["encounter"] = new JsonObject { ["reference"] = $"Encounter/{features.IndexEncounterId}" },
        };
        if (occurrence is not null)
        {
            request["occurrencePeriod"] = occurrence;
        }

        return request;
    }
}
