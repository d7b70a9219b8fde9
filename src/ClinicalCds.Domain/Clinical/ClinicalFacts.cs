namespace ClinicalCds.Domain.Clinical;

// The clinical facts of a patient, in the shape the store projects them and the feature builder reads them.
// One mapper fills them from FHIR resources; the store keeps exactly these, so every path sees the same facts.

/// <summary>
/// Administrative gender as FHIR codes it (male, female, other, unknown). <see cref="Name"/> and <see cref="Mrn"/> are
/// for people (the worklist finds patients by them); <see cref="Race"/> and <see cref="Ethnicity"/> (US Core OMB
/// categories) are for evaluating models by subgroup. No feature reads any of them.
/// </summary>
public sealed record PatientFact(
    string PatientId,
    DateOnly? BirthDate,
    string? Sex,
    bool Deceased,
    DateTimeOffset? DeceasedAt,
    string? Name = null,
    string? Mrn = null,
    string? Race = null,
    string? Ethnicity = null);

/// <summary>A stay at one location during an encounter; <see cref="IsIntensiveCare"/> marks ICU stays.</summary>
public sealed record EncounterLocationFact(
    string? LocationId,
    string? Display,
    bool IsIntensiveCare,
    DateTimeOffset? Start,
    DateTimeOffset? End);

/// <summary>
/// A Location resource as far as stays need it: whether it is an intensive care unit (by its name, type or physical
/// type). An encounter that names its location only by reference ("Location/123") is an ICU stay when this says so.
/// </summary>
public sealed record LocationFact(string LocationId, string? Name, bool IsIntensiveCare);

/// <summary>
/// An encounter. <see cref="ClassCode"/> is the v3 ActCode (IMP inpatient, EMER emergency, AMB ambulatory, ...);
/// <see cref="PriorityCode"/> the v3 ActPriority (EM emergency, UR urgent, EL elective, R routine).
/// </summary>
public sealed record EncounterFact(
    string EncounterId,
    string PatientId,
    string? Status,
    string? ClassCode,
    string? TypeSystem,
    string? TypeCode,
    string? TypeDisplay,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    string? PriorityCode,
    string? AdmitSource,
    string? DischargeDisposition,
    string? ServiceType,
    IReadOnlyList<EncounterLocationFact> Locations)
{
    /// <summary>Intensive care at one of the encounter's own locations (ICU stays recorded as Encounters: <see cref="PartOf"/>).</summary>
    public bool HadIntensiveCare => Locations.Any(l => l.IsIntensiveCare);

    /// <summary>What the encounter is by the hospital's encounter rules, decided when it was read; null: by its class alone (US Core).</summary>
    public EncounterKind? Kind { get; init; }

    /// <summary>The encounter this one is part of (an ICU stay of an admission), when it says so.</summary>
    public string? PartOf { get; init; }
}

/// <summary>One coding of a condition (a condition coded in ICD-10-CM and SNOMED CT gives two facts, Seq 0 and 1).</summary>
public sealed record ConditionFact(
    string ConditionId,
    int Seq,
    string PatientId,
    string? EncounterId,
    string System,
    string Code,
    string? Display,
    string? ClinicalStatus,
    string? VerificationStatus,
    string? Category,
    DateTimeOffset? Onset,
    DateTimeOffset? Recorded,
    DateTimeOffset? Abatement)
{
    /// <summary>
    /// For a condition with neither recorded nor onset date: just after the end of its encounter (set by the timeline). Such
    /// codes are typically the stay's billing codes, assigned after discharge, so they are not known at the discharge itself.
    /// </summary>
    public DateTimeOffset? KnownAfterEncounterEnd { get; init; }
}

/// <summary>
/// One measured value: Seq 0 is the observation's own value, Seq 1..n its components (e.g. systolic blood pressure
/// in a blood-pressure panel). <see cref="Value"/> is in the canonical <see cref="Unit"/>; the original is kept.
/// </summary>
public sealed record ObservationFact(
    string ObservationId,
    int Seq,
    string PatientId,
    string? EncounterId,
    string System,
    string Code,
    double? Value,
    string? Unit,
    double? OriginalValue,
    string? OriginalUnit,
    string? ValueCode,
    string? Status,
    DateTimeOffset? Effective);

public sealed record ProcedureFact(
    string ProcedureId,
    string PatientId,
    string? EncounterId,
    string? System,
    string? Code,
    string? Display,
    string? Status,
    DateTimeOffset? PerformedStart,
    DateTimeOffset? PerformedEnd);

public sealed record MedicationRequestFact(
    string MedicationRequestId,
    string PatientId,
    string? EncounterId,
    string? System,
    string? Code,
    string? Display,
    string? Status,
    string? Intent,
    DateTimeOffset? AuthoredOn);

/// <summary>The facts one FHIR resource projects into (usually one kind, often none).</summary>
public sealed record ProjectedFacts(
    PatientFact? Patient = null,
    EncounterFact? Encounter = null,
    IReadOnlyList<ConditionFact>? Conditions = null,
    IReadOnlyList<ObservationFact>? Observations = null,
    ProcedureFact? Procedure = null,
    MedicationRequestFact? MedicationRequest = null,
    LocationFact? Location = null)
{
    public static readonly ProjectedFacts None = new();
}
