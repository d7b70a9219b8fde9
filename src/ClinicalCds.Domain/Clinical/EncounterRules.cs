namespace ClinicalCds.Domain.Clinical;

/// <summary>What an encounter is, for every rule that asks: features, outcome labels, cohorts and the worklist.</summary>
public enum EncounterKind
{
    Other,

    /// <summary>An inpatient admission: a stay that can be discharged from (an index stay), or be a readmission.</summary>
    Inpatient,

    /// <summary>An emergency department visit.</summary>
    Emergency,

    /// <summary>An observation stay: in hospital, not admitted.</summary>
    Observation,

    /// <summary>An intensive care stay, recorded as its own Encounter part of an admission.</summary>
    IntensiveCare,
}

/// <summary>
/// One rule: an encounter matching every condition given is of <see cref="Kind"/>. Conditions: its class code (v3
/// ActCode) among <see cref="Classes"/>; one of its identifiers' systems among <see cref="IdentifierSystems"/>; its
/// service type among <see cref="ServiceTypes"/>; <see cref="PartOf"/> whether it is part of another encounter.
/// </summary>
public sealed record EncounterRule(
    EncounterKind Kind,
    IReadOnlyList<string>? Classes = null,
    IReadOnlyList<string>? IdentifierSystems = null,
    IReadOnlyList<string>? ServiceTypes = null,
    bool? PartOf = null)
{
    public bool Matches(string? classCode, IReadOnlyList<string> identifierSystems, string? serviceType, bool partOf) =>
        (Classes is null || (classCode is not null && Classes.Contains(classCode)))
        && (IdentifierSystems is null || identifierSystems.Any(IdentifierSystems.Contains))
        && (ServiceTypes is null || (serviceType is not null && ServiceTypes.Contains(serviceType)))
        && (PartOf is null || PartOf == partOf);
}

/// <summary>
/// How a hospital's encounters read (<c>Encounters:Profile</c>, or <c>Encounters:Rules</c> in full): the first rule
/// that matches decides; none matching is <see cref="EncounterKind.Other"/>. Shipped profiles: <see cref="UsCore"/>
/// (the default; Synthea) and <see cref="MimicIv"/> (MIMIC-IV on FHIR).
/// </summary>
public sealed class EncounterRules(string name, IReadOnlyList<EncounterRule> rules)
{
    private const string Mimic = "http://mimic.mit.edu/fhir/mimic/identifier/";

    /// <summary>
    /// US Core / Synthea: by class (HL7 v3 ActCode) — IMP inpatient encounter, ACUTE inpatient acute, NONAC inpatient
    /// non-acute are admissions; EMER is an emergency visit; OBSENC an observation stay.
    /// </summary>
    public static EncounterRules UsCore { get; } = new("us-core",
    [
        new(EncounterKind.Inpatient, Classes: ["IMP", "ACUTE", "NONAC"]),
        new(EncounterKind.Emergency, Classes: ["EMER"]),
        new(EncounterKind.Observation, Classes: ["OBSENC"]),
    ]);

    /// <summary>
    /// MIMIC-IV on FHIR (kind-lab/mimic-fhir): hospital admissions are the Encounters identified as encounter-hosp (one
    /// per hadm_id), whose class comes from the admission type — EMER for EW/DIRECT EMER., AMB for URGENT, ELECTIVE and
    /// AMBULATORY OBSERVATION, SS for SURGICAL SAME DAY ADMISSION, OBSENC for the observation types; the observation
    /// types are observation stays, every other admission type an inpatient admission. ED stays are encounter-ed, and
    /// ICU stays encounter-icu Encounters part of their admission (their class ACUTE does not make them admissions).
    /// </summary>
    public static EncounterRules MimicIv { get; } = new("mimic-iv",
    [
        new(EncounterKind.IntensiveCare, IdentifierSystems: [$"{Mimic}encounter-icu"]),
        new(EncounterKind.Emergency, IdentifierSystems: [$"{Mimic}encounter-ed"]),
        new(EncounterKind.Observation, IdentifierSystems: [$"{Mimic}encounter-hosp"], Classes: ["OBSENC"]),
        new(EncounterKind.Inpatient, IdentifierSystems: [$"{Mimic}encounter-hosp"]),
    ])
    {
        // Beth Israel Deaconess Medical Center, Boston: MIMIC-IV's times are its local times (their offsets say so).
        TimeZone = "America/New_York",
    };

    public static IReadOnlyDictionary<string, EncounterRules> Profiles { get; } =
        new Dictionary<string, EncounterRules>(StringComparer.OrdinalIgnoreCase) { [UsCore.Name] = UsCore, [MimicIv.Name] = MimicIv };

    public string Name { get; } = name;

    /// <summary>The IANA time zone of the hospital a profile describes, when it describes one (Clinical:TimeZone overrides it).</summary>
    public string? TimeZone { get; init; }

    public IReadOnlyList<EncounterRule> Rules { get; } = rules;

    /// <summary>
    /// These rules with observation stays read as admissions (<c>Encounters:ObservationStaysAreAdmissions</c>): a hospital
    /// whose readmission program counts them, where CMS's does not.
    /// </summary>
    public EncounterRules CountingObservationStays() =>
        new($"{Name}, observation stays as admissions", [.. Rules.Select(r => r.Kind == EncounterKind.Observation ? r with { Kind = EncounterKind.Inpatient } : r)])
        {
            TimeZone = TimeZone,
        };

    public EncounterKind KindOf(string? classCode, IReadOnlyList<string> identifierSystems, string? serviceType, bool partOf) =>
        Rules.FirstOrDefault(r => r.Matches(classCode, identifierSystems, serviceType, partOf))?.Kind ?? EncounterKind.Other;
}
