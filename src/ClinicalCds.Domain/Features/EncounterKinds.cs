using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Features;

/// <summary>How the features read encounter codes (HL7 v3 ActCode class, ActPriority, admit source, discharge disposition).</summary>
public static class EncounterKinds
{
    /// <summary>Inpatient classes: IMP inpatient encounter, ACUTE inpatient acute, NONAC inpatient non-acute.</summary>
    public static bool IsInpatient(EncounterFact e) => e.ClassCode is "IMP" or "ACUTE" or "NONAC" && Happened(e);

    /// <summary>EMER emergency department visit.</summary>
    public static bool IsEmergency(EncounterFact e) => e.ClassCode == "EMER" && Happened(e);

    /// <summary>Planned, cancelled and entered-in-error encounters never took place.</summary>
    public static bool Happened(EncounterFact e) => e.Status is not ("cancelled" or "entered-in-error" or "planned");

    /// <summary>ActPriority: EM emergency, UR urgent, A ASAP, S stat, CR callback results → emergent; EL elective, R routine → planned.</summary>
    public static bool? PriorityIsEmergent(string? priority) => priority switch
    {
        "EM" or "UR" or "A" or "S" or "CR" => true,
        "EL" or "R" or "P" or "PRN" => false,
        _ => null,
    };

    /// <summary>Dispositions to a facility that continues care: skilled nursing, rehabilitation, long-term care, other facility.</summary>
    public static bool IsPostAcuteCare(string disposition) => disposition is "snf" or "rehab" or "long" or "other-hcf";

    public const string AgainstMedicalAdvice = "aadvice";
}
