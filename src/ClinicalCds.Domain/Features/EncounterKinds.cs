using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Features;

/// <summary>
/// How the features read encounters: their kind (by the hospital's encounter rules, <see cref="EncounterRules"/>), HL7
/// v3 ActPriority, admit source and discharge disposition.
/// </summary>
public static class EncounterKinds
{
    /// <summary>Statuses of encounters that never took place.</summary>
    public static readonly IReadOnlyList<string> NotHappenedStatuses = ["cancelled", "entered-in-error", "planned"];

    /// <summary>The encounter's kind as read (by the configured rules), else by its class as US Core codes it.</summary>
    public static EncounterKind KindOf(EncounterFact e) => e.Kind ?? EncounterRules.UsCore.KindOf(e.ClassCode, [], e.ServiceType, e.PartOf is not null);

    /// <summary>An inpatient admission that took place.</summary>
    public static bool IsInpatient(EncounterFact e) => KindOf(e) == EncounterKind.Inpatient && Happened(e);

    /// <summary>An emergency department visit that took place.</summary>
    public static bool IsEmergency(EncounterFact e) => KindOf(e) == EncounterKind.Emergency && Happened(e);

    /// <summary>
    /// When intensive care began during <paramref name="stay"/>, each time: its ICU locations, and the ICU stays recorded
    /// as Encounters part of it (MIMIC-IV), in order. An ICU stay of the admission that began before the admission's
    /// recorded start (from the ED, before the admission time was written — seen in MIMIC-IV) is a direct ICU
    /// admission: intensive care from the admission's start.
    /// </summary>
    public static IEnumerable<DateTimeOffset> IntensiveCareStarts(IEnumerable<EncounterFact> encounters, EncounterFact stay) =>
        stay.Locations.Where(l => l.IsIntensiveCare && l.Start is not null).Select(l => l.Start!.Value)
            .Concat(encounters.Where(e => e.PartOf == stay.EncounterId && KindOf(e) == EncounterKind.IntensiveCare && e.Start is not null && Happened(e))
                .Select(e => stay.Start is { } admitted && e.Start < admitted ? admitted : e.Start!.Value))
            .Order();

    /// <summary>Intensive care at any time during the stay (as known): an ICU location or an ICU stay part of it.</summary>
    public static bool HadIntensiveCare(IEnumerable<EncounterFact> encounters, EncounterFact stay) =>
        stay.HadIntensiveCare || encounters.Any(e => e.PartOf == stay.EncounterId && KindOf(e) == EncounterKind.IntensiveCare && Happened(e));

    /// <summary>Planned, cancelled and entered-in-error encounters never took place.</summary>
    public static bool Happened(EncounterFact e) => e.Status is null || !NotHappenedStatuses.Contains(e.Status);

    /// <summary>
    /// ActPriority (HL7 v3): EM emergency, UR urgent, A ASAP, S stat → emergent; EL elective, R routine → planned. CR
    /// "callback results" says how results are to be reported, not how urgent the admission was: unknown, like any other.
    /// </summary>
    public static bool? PriorityIsEmergent(string? priority) => priority switch
    {
        "EM" or "UR" or "A" or "S" => true,
        "EL" or "R" or "P" or "PRN" => false,
        _ => null,
    };

    /// <summary>Dispositions to a facility that continues care: skilled nursing, rehabilitation, long-term care, other facility.</summary>
    public static bool IsPostAcuteCare(string disposition) => disposition is "snf" or "rehab" or "long" or "other-hcf";

    public const string AgainstMedicalAdvice = "aadvice";

    /// <summary>
    /// An encounter class in words: the display of its code in HL7 v3 ActCode (the FHIR R4 Encounter.class binding); an
    /// unknown code as it is.
    /// </summary>
    public static string? ClassDisplay(string? code) => code switch
    {
        null => null,
        "IMP" => "Inpatient",
        "ACUTE" => "Inpatient acute",
        "NONAC" => "Inpatient non-acute",
        "EMER" => "Emergency",
        "AMB" => "Ambulatory",
        "OBSENC" => "Observation",
        "SS" => "Short stay",
        "PRENC" => "Pre-admission",
        "HH" => "Home health",
        "VR" => "Virtual",
        "FLD" => "Field",
        _ => code,
    };

    /// <summary>
    /// A discharge disposition in words: the display of its code in HL7's discharge-disposition code system
    /// (http://terminology.hl7.org/CodeSystem/discharge-disposition, the FHIR R4 example binding); an unknown code as it is.
    /// </summary>
    public static string? DispositionDisplay(string? code) => code switch
    {
        null => null,
        "home" => "Home",
        "alt-home" => "Alternative home",
        "other-hcf" => "Other healthcare facility",
        "hosp" => "Hospice",
        "long" => "Long-term care",
        AgainstMedicalAdvice => "Left against advice",
        "exp" => "Expired",
        "psy" => "Psychiatric hospital",
        "rehab" => "Rehabilitation",
        "snf" => "Skilled nursing facility",
        "oth" => "Other",
        _ => code,
    };

    /// <summary>An ED visit that ended within this time before admission is the visit that led to the admission.</summary>
    public static readonly TimeSpan EdVisitLeadingToAdmission = TimeSpan.FromHours(24);

    /// <summary>
    /// The ED visit that led to an admission at <paramref name="admitted"/>: the last one that started by then (Synthea
    /// writes the ED encounter and the inpatient stay with one start instant) and ended within 24 h before it (or overlaps it).
    /// </summary>
    public static EncounterFact? EdVisitLeadingTo(IEnumerable<EncounterFact> encounters, DateTimeOffset admitted) =>
        encounters.LastOrDefault(e => IsEmergency(e) && e.Start <= admitted && (e.End ?? e.Start) >= admitted - EdVisitLeadingToAdmission);

    /// <summary>
    /// An unplanned (emergent or urgent) admission: by its priority when recorded; otherwise admitted from the emergency
    /// department (admit source emd) or straight after an ED visit.
    /// </summary>
    public static bool IsEmergentAdmission(EncounterFact stay, EncounterFact? leadingEdVisit) =>
        PriorityIsEmergent(stay.PriorityCode) ?? (stay.AdmitSource == "emd" || leadingEdVisit is not null);
}
