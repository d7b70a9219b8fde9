namespace ClinicalCds.Domain.Clinical;

public static class CodeSystems
{
    public const string Loinc = "http://loinc.org";
    public const string SnomedCt = "http://snomed.info/sct";
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Icd10 = "http://hl7.org/fhir/sid/icd-10";
    public const string Icd9Cm = "http://hl7.org/fhir/sid/icd-9-cm";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    public const string ActPriority = "http://terminology.hl7.org/CodeSystem/v3-ActPriority";
    public const string AdmitSource = "http://terminology.hl7.org/CodeSystem/admit-source";
    public const string DischargeDisposition = "http://terminology.hl7.org/CodeSystem/discharge-disposition";
    public const string ServiceType = "http://terminology.hl7.org/CodeSystem/service-type";
    public const string ConditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical";
    public const string ConditionVerification = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    public const string ConditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category";
    public const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string RoleCode = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
    public const string Cpt = "http://www.ama-assn.org/go/cpt";

    /// <summary>ICD-10-PCS (HL7 terminology: the CMS ICD-10 URI); ICD-9-CM procedures (volume 3) share <see cref="Icd9Cm"/>.</summary>
    public const string Icd10Pcs = "http://www.cms.gov/Medicare/Coding/ICD10";

    /// <summary>HCPCS Level II (HL7 terminology).</summary>
    public const string Hcpcs = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
}
