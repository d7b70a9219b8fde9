using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Domain.Units;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Features;

/// <summary>The chart beside a risk (issue 23 item 7): active problems and current medications at an instant, and codes in words.</summary>
public sealed class ChartSummaryTests
{
    private static readonly DateTimeOffset Now = At("2026-03-10T12:00:00Z");

    private static ConditionFact Problem(string id, string code, string recorded, string? clinical = "active", string? verification = null, string? abated = null, string? display = null) =>
        Condition(id, CodeSystems.Icd10Cm, code, recorded, verification) with { ClinicalStatus = clinical, Abatement = abated is null ? null : At(abated), Display = display };

    [Fact]
    public void Active_problems_are_current_unabated_not_refuted_and_known_by_the_instant_newest_first_once_each()
    {
        var timeline = PatientTimeline.Create(PatientId,
        [
            new(Patient: Patient()),
            new(Conditions: [Problem("c1", "I50.9", "2025-01-01T00:00:00Z", display: "Heart failure, unspecified")]),
            new(Conditions: [Problem("c2", "I50.9", "2026-01-01T00:00:00Z", display: "Heart failure, unspecified")]), // the same problem again
            new(Conditions: [Problem("c3", "E11.9", "2024-06-01T00:00:00Z", clinical: null)]), // a billing code: no status, counts
            new(Conditions: [Problem("c4", "J18.9", "2026-02-01T00:00:00Z", clinical: "resolved")]),
            new(Conditions: [Problem("c5", "N17.9", "2026-02-01T00:00:00Z", abated: "2026-02-20T00:00:00Z")]),
            new(Conditions: [Problem("c6", "C34.90", "2026-02-01T00:00:00Z", verification: "refuted")]),
            new(Conditions: [Problem("c7", "K21.9", "2026-03-11T00:00:00Z")]), // recorded after the instant
            new(Conditions: [Problem("c8", "N18.3", "2026-02-01T00:00:00Z", abated: "2026-04-01T00:00:00Z")]), // abates later
            // One resource coded twice (ICD-10-CM, then SNOMED CT): one problem, by its first coding.
            new(Conditions: [Problem("c9", "I10", "2020-01-01T00:00:00Z", display: "Hypertension"),
                Problem("c9", "38341003", "2020-01-01T00:00:00Z", display: "Hypertension") with { System = CodeSystems.SnomedCt, Seq = 1 }]),
        ]);

        var problems = ChartSummary.ActiveProblems(timeline, Now);

        Assert.Equal(["N18.3", "I50.9", "E11.9", "I10"], problems.Select(p => p.Code));
        Assert.Equal("Heart failure, unspecified", problems[1].Display);
        Assert.Equal(At("2026-01-01T00:00:00Z"), problems[1].Since);
        Assert.Equal("E11.9", problems[2].Display); // no display from the source: the code itself
    }

    [Fact]
    public void Current_medications_are_active_or_on_hold_orders_of_the_last_12_months_once_each()
    {
        var timeline = PatientTimeline.Create(PatientId,
        [
            new(Patient: Patient()),
            new(MedicationRequest: Medication("m1", "197361", "2026-03-01T00:00:00Z") with { Display = "Amlodipine 5 mg" }),
            new(MedicationRequest: Medication("m2", "197361", "2025-12-01T00:00:00Z")),
            new(MedicationRequest: Medication("m3", "310965", "2026-02-01T00:00:00Z", status: "on-hold")),
            new(MedicationRequest: Medication("m4", "860975", "2026-02-01T00:00:00Z", status: "completed")),
            new(MedicationRequest: Medication("m5", "617314", "2026-02-01T00:00:00Z", status: "stopped")),
            new(MedicationRequest: Medication("m6", "1049630", "2024-12-01T00:00:00Z")), // older than a year
        ]);

        var medications = ChartSummary.CurrentMedications(timeline, Now);

        Assert.Equal(["197361", "310965"], medications.Select(m => m.Code));
        Assert.Equal(("Amlodipine 5 mg", At("2026-03-01T00:00:00Z")), (medications[0].Display, medications[0].Ordered));
        Assert.Equal(("310965", "on-hold"), (medications[1].Display, medications[1].Status));
    }

    [Theory]
    [InlineData("IMP", "Inpatient")]
    [InlineData("EMER", "Emergency")]
    [InlineData("AMB", "Ambulatory")]
    [InlineData("XYZ", "XYZ")]
    public void Encounter_classes_read_as_HL7_v3_ActCode_displays(string code, string display) =>
        Assert.Equal(display, EncounterKinds.ClassDisplay(code));

    [Theory]
    [InlineData("home", "Home")]
    [InlineData("snf", "Skilled nursing facility")]
    [InlineData("aadvice", "Left against advice")]
    [InlineData("other-hcf", "Other healthcare facility")]
    [InlineData("hosp", "Hospice")]
    public void Discharge_dispositions_read_as_the_HL7_code_system_displays(string code, string display) =>
        Assert.Equal(display, EncounterKinds.DispositionDisplay(code));

    [Theory]
    [InlineData("10*3/uL", "×10³/µL")]
    [InlineData("mm[Hg]", "mmHg")]
    [InlineData("Cel", "°C")]
    [InlineData("umol/L", "µmol/L")]
    public void Units_read_as_a_clinician_writes_them(string ucum, string written) =>
        Assert.Equal(written, UnitConversion.Display(ucum));
}
