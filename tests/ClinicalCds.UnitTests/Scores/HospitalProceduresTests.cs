using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Scores;

namespace ClinicalCds.UnitTests.Scores;

/// <summary>HOSPITAL's P counts coded procedures (Donzé 2013: the admission's ICD-9-CM procedure codes), not charting (issue 30 item 3).</summary>
public sealed class HospitalProceduresTests
{
    private static ProcedureFact Coded(string? system, string? code) =>
        new("p1", "patient", "stay", system, code, null, "completed", DateTimeOffset.Parse("2026-03-10T10:00:00Z"), null);

    [Theory]
    // Procedure classifications: ICD-9-CM volume 3, ICD-10-PCS, CPT, HCPCS, SNOMED CT procedures.
    [InlineData(CodeSystems.Icd9Cm, "3893", true)]
    [InlineData(CodeSystems.Icd10Pcs, "02HV33Z", true)]
    [InlineData(CodeSystems.Cpt, "43239", true)]
    [InlineData(CodeSystems.Hcpcs, "G0378", true)]
    [InlineData(CodeSystems.SnomedCt, "80146002", true)] // appendectomy
    // Nursing observation and triage, written as SNOMED CT procedures by MIMIC-IV's ED.
    [InlineData(CodeSystems.SnomedCt, "410188000", false)]
    [InlineData(CodeSystems.SnomedCt, "386478007", false)]
    // CPT Evaluation and Management (99202-99499) bills a visit; its edges, and the codes just outside them.
    [InlineData(CodeSystems.Cpt, "99202", false)]
    [InlineData(CodeSystems.Cpt, "99499", false)]
    [InlineData(CodeSystems.Cpt, "99201", true)]
    [InlineData(CodeSystems.Cpt, "99500", true)]
    // A local charting system (MIMIC-IV's ICU procedure events: "20 Gauge"), no system, no code.
    [InlineData("http://mimic.mit.edu/fhir/mimic/CodeSystem/mimic-d-items", "224275", false)]
    [InlineData(null, "3893", false)]
    [InlineData(CodeSystems.Icd9Cm, null, false)]
    [InlineData(CodeSystems.Icd9Cm, "", false)]
    public void A_procedure_counts_when_coded_in_a_procedure_classification_and_not_charting(string? system, string? code, bool counts) =>
        Assert.Equal(counts, HospitalProcedures.Counts(Coded(system, code)));
}
