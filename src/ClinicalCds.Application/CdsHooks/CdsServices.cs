using System.Text.Json;

namespace ClinicalCds.Application.CdsHooks;

/// <summary>
/// Our CDS Services, as defined in cds-hooks/services.json (embedded; that file is what discovery answers).
/// </summary>
public static class CdsServices
{
    public const string Readmission = "readmission-risk";
    public const string Deterioration = "deterioration-risk";
    public const string Summary = "patient-risk-summary";

    public static DiscoveryResponse Discovery { get; } = Load();

    public static CdsServiceDefinition? Find(string id) => Discovery.Services.FirstOrDefault(s => s.Id == id);

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
