namespace ClinicalCds.Domain.Clinical;

/// <summary>
/// One group of a FHIR ConceptMap, as the fact mapper applies it: codes of <see cref="SourceSystem"/> translated to
/// <see cref="TargetSystem"/> (code → target code and display); with <see cref="UnmappedProvided"/> (FHIR
/// <c>group.unmapped.mode = provided</c>) every other code stands for itself in the target system — how a local URI is
/// declared an alias of ICD-10-CM. <see cref="Map"/> names the ConceptMap (url|version) for provenance.
/// </summary>
public sealed record ConceptMapGroup(
    string SourceSystem,
    string TargetSystem,
    IReadOnlyDictionary<string, (string Code, string? Display)> Codes,
    bool UnmappedProvided,
    string Map)
{
    /// <summary>Mappings that hold only in a context the resource itself states (FHIR ConceptMap <c>target.dependsOn</c>).</summary>
    public IReadOnlyList<ContextualMapping> InContext { get; init; } = [];
}

/// <summary>
/// A code mapped only where the resource says so (R4 <c>ConceptMap.group.element.target.dependsOn</c>): <see cref="Property"/>
/// is an element path of the resource (<c>Observation.meta.profile</c> or <c>Observation.category</c>) that must hold
/// <see cref="Value"/>. How MIMIC-IV's ED vital signs, coded LOINC 2708-6 ("Oxygen saturation in Arterial blood") but
/// measured by pulse oximetry, read as SpO2 without every arterial saturation becoming one.
/// </summary>
public sealed record ContextualMapping(string Code, string TargetCode, string? TargetDisplay, string Property, string Value);

/// <summary>
/// The hospital's terminology mapping: local codes to the codes the feature catalog reads, loaded from FHIR ConceptMaps
/// (Infrastructure reads them; this is the pure lookup). Applied where FHIR becomes facts — ingest projections, hook
/// prefetch and fhirServer answers alike — so every path sees the same codes. A code its own system already names
/// (LOINC, ICD-10-CM, ...) is never translated.
/// </summary>
public sealed class Terminology
{
    public static readonly Terminology None = new([]);

    private readonly Dictionary<string, ConceptMapGroup[]> _bySource;

    public Terminology(IEnumerable<ConceptMapGroup> groups, EncounterRules? encounters = null, HospitalTime? time = null)
    {
        Groups = [.. groups];
        Encounters = encounters ?? EncounterRules.UsCore;
        Time = time ?? HospitalTime.Utc;
        _bySource = Groups.GroupBy(g => g.SourceSystem, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    public IReadOnlyList<ConceptMapGroup> Groups { get; }

    /// <summary>How this hospital's encounters read: which are admissions, emergency visits, observation and ICU stays.</summary>
    public EncounterRules Encounters { get; }

    /// <summary>The hospital's calendar, which timelines built from this hospital's FHIR carry (<see cref="HospitalTime"/>).</summary>
    public HospitalTime Time { get; }

    public bool IsEmpty => Groups.Count == 0;

    /// <summary>The local codes the maps translate to <paramref name="targetCode"/> of <paramref name="targetSystem"/> (explicit mappings only).</summary>
    public IEnumerable<(string System, string Code)> SourcesOf(string targetSystem, string targetCode) =>
        Groups.Where(g => g.TargetSystem == targetSystem)
            .SelectMany(g => g.Codes.Where(c => c.Value.Code == targetCode).Select(c => (g.SourceSystem, c.Key)));

    /// <summary>
    /// The code in a target system of the maps, or null when no map has it: an explicit mapping first (in the order
    /// the maps were loaded), then a group that declares its source an alias of its target. <paramref name="target"/>
    /// narrows to one target system (e.g. LOINC for an observation's code).
    /// </summary>
    public (string System, string Code, string? Display)? Translate(string? system, string? code, string? target = null)
    {
        if (system is null || code is null || !_bySource.TryGetValue(system, out var groups))
        {
            return null;
        }

        foreach (var group in groups)
        {
            if ((target is null || group.TargetSystem == target) && group.Codes.TryGetValue(code, out var mapped))
            {
                return (group.TargetSystem, mapped.Code, mapped.Display);
            }
        }

        foreach (var group in groups)
        {
            if ((target is null || group.TargetSystem == target) && group.UnmappedProvided)
            {
                return (group.TargetSystem, code, null);
            }
        }

        return null;
    }

    /// <summary>
    /// The code in <paramref name="target"/> that a contextual mapping gives where <paramref name="holds"/> says the
    /// resource has the mapping's property value; null when none applies. Applied before the code is read as it is, even
    /// a code of the target system itself: the context makes it a more exact code.
    /// </summary>
    public (string System, string Code, string? Display)? TranslateInContext(string? system, string? code, string target, Func<string, string, bool> holds)
    {
        if (system is null || code is null || !_bySource.TryGetValue(system, out var groups))
        {
            return null;
        }

        foreach (var group in groups.Where(g => g.TargetSystem == target))
        {
            foreach (var mapping in group.InContext)
            {
                if (mapping.Code == code && holds(mapping.Property, mapping.Value))
                {
                    return (group.TargetSystem, mapping.TargetCode, mapping.TargetDisplay);
                }
            }
        }

        return null;
    }

    /// <summary>True when some map has a contextual mapping (so the fact mapper needs to look at a resource's context at all).</summary>
    public bool HasContextualMappings => Groups.Any(g => g.InContext.Count > 0);
}
