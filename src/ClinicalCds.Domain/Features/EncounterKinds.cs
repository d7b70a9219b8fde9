using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Features;

/// <summary>How the features read encounter codes (HL7 v3 ActCode class, ActPriority, admit source, discharge disposition).</summary>
public static class EncounterKinds
{
    /// <summary>Inpatient classes: IMP inpatient encounter, ACUTE inpatient acute, NONAC inpatient non-acute.</summary>
    public static readonly IReadOnlyList<string> InpatientClasses = ["IMP", "ACUTE", "NONAC"];

    /// <summary>Statuses of encounters that never took place.</summary>
    public static readonly IReadOnlyList<string> NotHappenedStatuses = ["cancelled", "entered-in-error", "planned"];

    public static bool IsInpatient(EncounterFact e) => e.ClassCode is not null && InpatientClasses.Contains(e.ClassCode) && Happened(e);

    /// <summary>EMER emergency department visit.</summary>
    public static bool IsEmergency(EncounterFact e) => e.ClassCode == "EMER" && Happened(e);

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

    /// <summary>An ED visit that ended within this time before admission is the visit that led to the admission.</summary>
    public static readonly TimeSpan EdVisitLeadingToAdmission = TimeSpan.FromHours(24);

    /// <summary>The ED visit that led to an admission at <paramref name="admitted"/>: the last one ended within 24 h before it (or overlapping it).</summary>
    public static EncounterFact? EdVisitLeadingTo(IEnumerable<EncounterFact> encounters, DateTimeOffset admitted) =>
        encounters.LastOrDefault(e => IsEmergency(e) && e.Start < admitted && (e.End ?? e.Start) >= admitted - EdVisitLeadingToAdmission);

    /// <summary>
    /// An unplanned (emergent or urgent) admission: by its priority when recorded; otherwise admitted from the emergency
    /// department (admit source emd) or straight after an ED visit.
    /// </summary>
    public static bool IsEmergentAdmission(EncounterFact stay, EncounterFact? leadingEdVisit) =>
        PriorityIsEmergent(stay.PriorityCode) ?? (stay.AdmitSource == "emd" || leadingEdVisit is not null);
}
