using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Scores;

/// <summary>
/// What HOSPITAL's P — "procedure during the index admission" — counts: a procedure coded in a procedure classification.
/// Donzé J et al. (JAMA Intern Med 2013;173(8):632-8) took any ICD-9-CM procedure code of the index admission from the
/// hospitals' billing data; today's equivalents are ICD-10-PCS, CPT and HCPCS, and SNOMED CT procedures (how Synthea and
/// many EHRs code them). Not a procedure in that sense, though EHRs record them as FHIR Procedures: nursing observation
/// and triage (MIMIC-IV's ED writes vital-sign taking and triage as SNOMED CT procedures, 611 of them in the demo),
/// charting items of a local code system (MIMIC-IV's ICU procedure events: IV gauges, "Family updated by RN"), and CPT's
/// Evaluation and Management visits (99202-99499), which bill encounters, not procedures. A hospital whose procedures
/// carry a local code system maps it onto one of these with a ConceptMap (as the MIMIC-IV demo maps its ICD URIs:
/// terminology/mimic-iv-demo/procedures-to-icd.json); uncoded ones do not count.
/// </summary>
public static class HospitalProcedures
{
    /// <summary>The procedure classifications whose codes count.</summary>
    public static readonly IReadOnlySet<string> Classifications =
        new HashSet<string>(StringComparer.Ordinal) { CodeSystems.Icd9Cm, CodeSystems.Icd10Pcs, CodeSystems.Cpt, CodeSystems.Hcpcs, CodeSystems.SnomedCt };

    /// <summary>
    /// SNOMED CT "procedures" that are observation, assessment or triage, not procedures HOSPITAL counts: those real data
    /// have shown (the MIMIC-IV demo's ED, with these displays); a hospital's own are reported by <c>clinicalcds coverage</c>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotProcedures = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["410188000"] = "Taking patient vital signs assessment (procedure)",
        ["386478007"] = "Triage: emergency center (procedure)",
    };

    /// <summary>Whether <paramref name="procedure"/> is a coded procedure HOSPITAL counts (its code as mapped at ingest).</summary>
    public static bool Counts(ProcedureFact procedure) =>
        procedure.System is { } system && procedure.Code is { Length: > 0 } code && Classifications.Contains(system)
        && !(system == CodeSystems.SnomedCt && NotProcedures.ContainsKey(code))
        && !(system == CodeSystems.Cpt && IsEvaluationAndManagement(code));

    /// <summary>CPT Evaluation and Management services, 99202-99499 (AMA CPT).</summary>
    private static bool IsEvaluationAndManagement(string code) =>
        code.Length == 5 && int.TryParse(code, out var n) && n is >= 99202 and <= 99499;
}
