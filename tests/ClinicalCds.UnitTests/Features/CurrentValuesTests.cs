using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Comorbidity;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Timeline;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Features;

/// <summary>
/// Current means current (issues 18, 29): each vital sign is its latest value of the last 24 h, oxygen never charted is not "air",
/// old labs carry their age, and the published scores' inputs follow their sources (docs/features.md, ADR 0005).
/// </summary>
public sealed class CurrentValuesTests
{
    // Emergency admission on 1 March after an ED visit with triage vital signs; discharged 12 days later.
    private static readonly DateTimeOffset Discharge = At("2026-03-13T10:00:00Z");

    private static List<ProjectedFacts> EdTriageOnly() =>
    [
        new(Patient: Patient()),
        new(Encounter: EdVisit("ed", "2026-03-01T02:00:00Z", "2026-03-01T06:00:00Z")),
        new(Encounter: Stay("stay", "2026-03-01T07:00:00Z", "2026-03-13T10:00:00Z")),
        new(Observations: [Lab("rr", Loinc.RespiratoryRate, 26, "/min", "2026-03-01T02:30:00Z")]),
        new(Observations: [Lab("hr", Loinc.HeartRate, 125, "/min", "2026-03-01T02:30:00Z")]),
        new(Observations: [Lab("spo2", Loinc.OxygenSaturationPulseOximetry, 90, "%", "2026-03-01T02:30:00Z")]),
        new(Observations: [Lab("o2", Loinc.InhaledOxygenFlowRate, 4, "L/min", "2026-03-01T02:30:00Z")]),
        new(Observations: [Lab("hb", Loinc.HemoglobinMassBlood, 9.1, "g/dL", "2026-03-10T06:00:00Z")]),
    ];

    private static ClinicalFeatures Build(IEnumerable<ProjectedFacts> facts, string stay = "stay", DateTimeOffset? asOf = null) =>
        FeatureBuilder.Build(PatientTimeline.Create(PatientId, facts), stay, asOf ?? Discharge)!;

    [Fact]
    public void Triage_vital_signs_of_day_one_are_not_read_as_the_discharge_set_twelve_days_later()
    {
        var f = Build(EdTriageOnly());

        Assert.Null(f.RespiratoryRate);
        Assert.Null(f.HeartRate);
        Assert.Null(f.OxygenSaturation);
        Assert.Null(f.SupplementalOxygen);
        var news2 = News2.Score(PublishedScores.News2InputOf(f));
        Assert.Equal(0, news2.Total);
        Assert.Equal(["Respiratory rate", "Oxygen saturation (SpO2 scale 1)", "Air or oxygen", "Systolic blood pressure", "Heart rate", "Consciousness", "Temperature"], news2.Missing);

        // On the morning after admission the same set is within 24 h, and it is read.
        var early = Build(EdTriageOnly(), asOf: At("2026-03-01T20:00:00Z"));
        Assert.Equal((26.0, 125.0, true), (early.RespiratoryRate!.Value, early.HeartRate!.Value, early.SupplementalOxygen!.Value));
    }

    [Fact]
    public void Each_vital_sign_is_its_latest_value_of_the_last_24_h_so_a_partial_recheck_never_erases_an_abnormal_one()
    {
        // Issue 29 item 4: a full abnormal set 3 h before the discharge, then respiratory rate and SpO2 rechecked 1 h before.
        List<ProjectedFacts> facts =
        [
            .. EdTriageOnly(),
            new(Observations: [Lab("rr-day11", Loinc.RespiratoryRate, 24, "/min", "2026-03-12T08:00:00Z")]),
            new(Observations: [Lab("rr-full", Loinc.RespiratoryRate, 26, "/min", "2026-03-13T07:00:00Z")]),
            new(Observations: [Lab("spo2-full", Loinc.OxygenSaturationPulseOximetry, 91, "%", "2026-03-13T07:00:00Z")]),
            new(Observations: [Lab("hr-full", Loinc.HeartRate, 135, "/min", "2026-03-13T07:00:00Z")]),
            new(Observations: [Lab("sbp-full", Loinc.SystolicBloodPressure, 88, "mm[Hg]", "2026-03-13T07:00:00Z")]),
            new(Observations: [Lab("o2-full", Loinc.InhaledOxygenFlowRate, 0, "L/min", "2026-03-13T07:00:00Z")]),
            new(Observations: [Lab("rr-recheck", Loinc.RespiratoryRate, 18, "/min", "2026-03-13T09:00:00Z")]),
            new(Observations: [Lab("spo2-recheck", Loinc.OxygenSaturationPulseOximetry, 97, "%", "2026-03-13T09:00:00Z")]),
        ];

        var f = Build(facts);

        Assert.Equal((18.0, 97.0), (f.RespiratoryRate!.Value, f.OxygenSaturation!.Value));
        Assert.Equal((135.0, 88.0), (f.HeartRate!.Value, f.SystolicBloodPressure!.Value));
        Assert.Equal(At("2026-03-13T07:00:00Z"), f.HeartRate.At);
        Assert.False(f.SupplementalOxygen);
        var news2 = News2.Score(PublishedScores.News2InputOf(f));
        Assert.Equal(6, news2.Total); // heart rate 135 (3) + systolic 88 (3)
        Assert.Equal(["Consciousness", "Temperature"], news2.Missing);

        // A value older than 24 h is not current: without the morning's values, the day-before respiratory rate is not read.
        var dayBefore = Build([.. EdTriageOnly(), new(Observations: [Lab("rr-day11", Loinc.RespiratoryRate, 24, "/min", "2026-03-12T08:00:00Z")])]);
        Assert.Null(dayBefore.RespiratoryRate);
    }

    [Fact]
    public void Oxygen_never_charted_is_not_recorded_and_scores_nothing_rather_than_air()
    {
        var score = News2.Score(new News2Input(18, 97, null, 120, 80, Consciousness.Alert, 37.0, UseSpO2Scale2: false));

        Assert.Contains("Air or oxygen", score.Missing);
        Assert.Contains(score.Components, c => c.Name == "Air or oxygen" && c.PatientValue == "not recorded" && c.Points == 0);
    }

    [Fact]
    public void A_lab_older_than_a_day_is_worded_with_its_age()
    {
        var f = Build(EdTriageOnly());
        var names = FeatureCatalog.Features.Select(x => x.Name).ToList();
        var contributions = new double[names.Count];
        contributions[names.IndexOf("HemoglobinGdl")] = 0.4;

        var factor = Assert.Single(FactorWording.Top(FeatureCatalog.Standard, FeatureCatalog.Vectorize(f).Values, contributions, 5, f));

        Assert.Equal("Hemoglobin 9.1 g/dL (measured 3 days before discharge) — raises risk", factor.Text);
        Assert.Equal("Hemoglobin 9.1 g/dL — raises risk", FactorWording.Top(FeatureCatalog.Standard, FeatureCatalog.Vectorize(f).Values, contributions, 5).Single().Text);
        // During the stay the age is relative to the assessment.
        var during = Build(EdTriageOnly(), asOf: DateTimeOffset.Parse("2026-03-12T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Hemoglobin 9.1 g/dL (measured 2 days before this assessment) — raises risk", FactorWording.Top(FeatureCatalog.Standard, FeatureCatalog.Vectorize(during).Values, contributions, 5, during).Single().Text);
    }

    [Theory]
    [InlineData("2026-03-01T23:00:00Z", "2026-03-02T08:00:00Z", 1)] // 9 hours, two calendar dates
    [InlineData("2026-03-01T08:00:00Z", "2026-03-01T20:00:00Z", 0)] // same-day discharge
    [InlineData("2026-03-01T08:00:00Z", "2026-03-06T07:00:00Z", 5)] // 4 days 23 h of elapsed time: 5 days, HOSPITAL's L
    public void Length_of_stay_is_calendar_days_between_admission_and_discharge_dates(string admitted, string discharged, int days)
    {
        var f = Build([new(Patient: Patient()), new(Encounter: Stay("stay", admitted, discharged, priority: "EL"))], asOf: At(discharged));

        Assert.Equal(days, f.LengthOfStayDays);
    }

    [Fact]
    public void Callback_results_priority_says_nothing_about_urgency()
    {
        Assert.Null(EncounterKinds.PriorityIsEmergent("CR"));
        var f = Build([new(Patient: Patient()), new(Encounter: Stay("stay", "2026-03-01T08:00:00Z", "2026-03-04T08:00:00Z", priority: "CR", admitSource: "outp"))],
            asOf: At("2026-03-04T08:00:00Z"));
        Assert.False(f.EmergentAdmission);
    }

    [Theory]
    [InlineData(CodeSystems.Icd10Cm, "N18.1", false)]
    [InlineData(CodeSystems.Icd10Cm, "N18.2", false)]
    [InlineData(CodeSystems.Icd10Cm, "N182", false)]
    [InlineData(CodeSystems.Icd10Cm, "N18.30", true)]
    [InlineData(CodeSystems.Icd10Cm, "N18.4", true)]
    [InlineData(CodeSystems.Icd10Cm, "N18.6", true)]
    [InlineData(CodeSystems.Icd10Cm, "N18.9", true)]
    [InlineData(CodeSystems.SnomedCt, "431855005", false)] // CKD stage 1
    [InlineData(CodeSystems.SnomedCt, "431856006", false)] // CKD stage 2
    [InlineData(CodeSystems.SnomedCt, "433144002", true)] // CKD stage 3
    public void Charlson_renal_disease_excludes_chronic_kidney_disease_stages_1_and_2(string system, string code, bool renal)
    {
        Assert.Equal(renal, CodeList.Charlson.CategoriesOf(system, code).Any(c => c.Key == "rend"));
    }

    [Fact]
    public void SpO2_scale_2_needs_a_hypercapnic_respiratory_failure_current_at_the_instant()
    {
        ConditionFact Failure(string id, string recorded, string status, string? abated) =>
            new(id, 0, PatientId, null, CodeSystems.Icd10Cm, "J96.12", null, status, "confirmed", null, At(recorded), At(recorded), abated is null ? null : At(abated));
        List<ProjectedFacts> Record(ConditionFact condition) =>
            [new(Patient: Patient()), new(Encounter: Stay("stay", "2026-03-01T08:00:00Z", null)), new(Conditions: [condition])];
        var now = At("2026-03-02T08:00:00Z");

        Assert.True(Build(Record(Failure("c", "2026-03-01T09:00:00Z", "active", null)), asOf: now).HypercapnicRespiratoryFailure);
        Assert.False(Build(Record(Failure("c", "2024-01-01T00:00:00Z", "resolved", "2024-02-01T00:00:00Z")), asOf: now).HypercapnicRespiratoryFailure);
        Assert.False(Build(Record(Failure("c", "2024-01-01T00:00:00Z", "inactive", null)), asOf: now).HypercapnicRespiratoryFailure);
        // Abated only after the instant: still current then.
        Assert.True(Build(Record(Failure("c", "2026-03-01T09:00:00Z", "resolved", "2026-03-05T00:00:00Z")), asOf: now).HypercapnicRespiratoryFailure);
    }

    [Fact]
    public void Blood_gas_hemoglobin_and_arterial_saturation_are_not_pooled_with_laboratory_hemoglobin_and_pulse_oximetry()
    {
        List<ProjectedFacts> facts =
        [
            new(Patient: Patient()),
            new(Encounter: Stay("stay", "2026-03-01T08:00:00Z", null)),
            new(Observations: [Lab("abg-hb", Loinc.HemoglobinMassArterialBlood, 8.0, "g/dL", "2026-03-01T10:00:00Z")]),
            new(Observations: [Lab("vbg-hb", Loinc.HemoglobinMassVenousBlood, 8.2, "g/dL", "2026-03-01T10:00:00Z")]),
            new(Observations: [Lab("sao2", Loinc.OxygenSaturationArterial, 88, "%", "2026-03-01T10:00:00Z")]),
        ];

        var f = Build(facts, asOf: At("2026-03-01T12:00:00Z"));

        Assert.Null(f.Hemoglobin);
        Assert.Null(f.OxygenSaturation);
    }

    [Fact]
    public void An_undated_code_of_the_stay_is_not_known_at_its_discharge_but_is_for_the_next_stay()
    {
        var billing = new ConditionFact("dx", 0, PatientId, "first", CodeSystems.Icd10Cm, "I50.9", null, null, null, "encounter-diagnosis", null, null, null);
        List<ProjectedFacts> facts =
        [
            new(Patient: Patient()),
            new(Encounter: Stay("first", "2026-01-01T08:00:00Z", "2026-01-05T08:00:00Z")),
            new(Encounter: Stay("second", "2026-02-01T08:00:00Z", "2026-02-03T08:00:00Z")),
            new(Conditions: [billing]),
        ];

        Assert.DoesNotContain("chf", Build(facts, "first", At("2026-01-05T08:00:00Z")).CharlsonCategories);
        Assert.Contains("chf", Build(facts, "second", At("2026-02-03T08:00:00Z")).CharlsonCategories);
        // Without an ended encounter an undated code is never known.
        Assert.Null(PatientTimeline.KnownAt(billing with { EncounterId = "unknown" }));
    }
}
