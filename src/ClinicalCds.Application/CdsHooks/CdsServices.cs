using System.Text.Json;
using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Application.CdsHooks;

/// <summary>
/// Our CDS Services, as defined in cds-hooks/services.json (embedded; that file is what discovery answers).
/// </summary>
public static partial class CdsServices
{
    public const string Readmission = "readmission-risk";
    public const string Deterioration = "deterioration-risk";
    public const string Summary = "patient-risk-summary";

    public static DiscoveryResponse Discovery { get; } = Load();

    public static CdsServiceDefinition? Find(string id) => Discovery.Services.FirstOrDefault(s => s.Id == id);

    /// <summary>
    /// The services as this installation's terminology asks for them: a prefetch template that names LOINC codes also
    /// names the local codes the maps translate to them, so an EHR that codes its results locally sends those too.
    /// </summary>
    public static DiscoveryResponse Localized(Terminology terminology) =>
        terminology.IsEmpty ? Discovery : LocalizedDiscoveries.GetValue(terminology, t => new([.. Discovery.Services.Select(s => Localize(s, t))]));

    /// <summary>The service as <see cref="Localized(Terminology)"/> answers it (computed once per terminology, not per call).</summary>
    public static CdsServiceDefinition Localized(CdsServiceDefinition service, Terminology terminology) =>
        terminology.IsEmpty ? service : Localized(terminology).Services.First(s => s.Id == service.Id);

    /// <summary>A terminology is immutable; its discovery is kept for as long as it is in force.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Terminology, DiscoveryResponse> LocalizedDiscoveries = [];

    private static CdsServiceDefinition Localize(CdsServiceDefinition service, Terminology terminology) =>
        service.Prefetch is null
            ? service
            : service with { Prefetch = service.Prefetch.ToDictionary(p => p.Key, p => LocalizedTemplate(p.Value, terminology)) };

    private static string LocalizedTemplate(string template, Terminology terminology)
    {
        var codes = CodeParameter().Match(template);
        if (!codes.Success)
        {
            return template;
        }

        var value = codes.Groups["codes"];
        var tokens = value.Value.Split(',');
        var local = tokens
            .Select(token => token.Split('|'))
            .Where(parts => parts.Length == 2 && parts[0] == CodeSystems.Loinc)
            .SelectMany(parts => terminology.SourcesOf(CodeSystems.Loinc, parts[1]))
            .Select(source => $"{source.System}|{source.Code}")
            .Where(token => !tokens.Contains(token))
            .Distinct();
        return string.Concat(template.AsSpan(0, value.Index), string.Join(',', tokens.Concat(local)), template.AsSpan(value.Index + value.Length));
    }

    [System.Text.RegularExpressions.GeneratedRegex("[?&]code=(?<codes>[^&]*)")]
    private static partial System.Text.RegularExpressions.Regex CodeParameter();

    /// <summary>Context fields each hook requires (CDS Hooks library, hook definitions 1.0/1.1).</summary>
    public static IReadOnlyList<string> RequiredContext(string hook) => hook switch
    {
        "patient-view" => ["userId", "patientId"],
        "encounter-start" or "encounter-discharge" => ["userId", "patientId", "encounterId"],
        _ => ["patientId"],
    };

    private static DiscoveryResponse Load()
    {
        using var stream = typeof(CdsServices).Assembly.GetManifestResourceStream("cds-services.json")
            ?? throw new InvalidDataException("The embedded cds-hooks/services.json is missing.");
        return JsonSerializer.Deserialize<DiscoveryResponse>(stream, CdsJson.Options)
            ?? throw new InvalidDataException("cds-hooks/services.json is empty.");
    }
}
