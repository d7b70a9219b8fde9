using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>
/// Section "Encounters": which encounters are admissions, emergency visits, observation and ICU stays. <see cref="Profile"/>
/// names a shipped rule set (us-core, the default; mimic-iv); <see cref="Rules"/>, when given, replaces it in full —
/// evaluated in order, the first that matches decides.
/// </summary>
public sealed class EncounterOptions
{
    public const string Section = "Encounters";

    public string Profile { get; set; } = EncounterRules.UsCore.Name;

    public List<EncounterRuleOptions> Rules { get; set; } = [];

    /// <summary>
    /// Whether observation stays count as admissions — index stays and readmissions alike. Off by default, as CMS's
    /// Hospital Readmissions Reduction Program counts neither (an observation stay is outpatient care); a hospital whose
    /// own program counts them turns it on (then runs <c>clinicalcds rederive</c>: kinds are read at ingest).
    /// </summary>
    public bool ObservationStaysAreAdmissions { get; set; }

    /// <summary>The rules in force, or the configuration's mistake in words.</summary>
    public EncounterRules Resolve()
    {
        var rules = ResolveRules();
        return ObservationStaysAreAdmissions ? rules.CountingObservationStays() : rules;
    }

    private EncounterRules ResolveRules()
    {
        if (Rules.Count > 0)
        {
            var empty = Rules.FindIndex(r => r.Classes is null && r.IdentifierSystems is null && r.ServiceTypes is null && r.PartOf is null);
            return empty < 0
                ? new EncounterRules("configured", [.. Rules.Select(r => new EncounterRule(r.Kind, r.Classes, r.IdentifierSystems, r.ServiceTypes, r.PartOf))])
                : throw new InvalidOperationException($"{Section}:Rules:{empty} has no condition (Classes, IdentifierSystems, ServiceTypes or PartOf): it would match every encounter.");
        }

        return EncounterRules.Profiles.TryGetValue(Profile, out var rules)
            ? rules
            : throw new InvalidOperationException($"{Section}:Profile '{Profile}' is not a shipped profile ({string.Join(", ", EncounterRules.Profiles.Keys)}); or give {Section}:Rules.");
    }
}

public sealed class EncounterRuleOptions
{
    public EncounterKind Kind { get; set; }

    public string[]? Classes { get; set; }

    public string[]? IdentifierSystems { get; set; }

    public string[]? ServiceTypes { get; set; }

    public bool? PartOf { get; set; }
}
