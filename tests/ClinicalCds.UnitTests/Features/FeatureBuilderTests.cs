using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Timeline;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Features;

public sealed class FeatureBuilderTests
{
    private static readonly DateTimeOffset Discharge = At("2026-03-16T12:00:00Z");

    // A 75-year-old woman admitted through the ED on 10 March 2026 for six days.
    private static List<ProjectedFacts> Record() =>
    [
        new(Patient: Patient()),
        new(Encounter: EdVisit("ed0", "2026-03-10T02:00:00Z", "2026-03-10T07:30:00Z")), // led to this admission
        new(Encounter: EdVisit("ed1", "2025-11-01T10:00:00Z", "2025-11-01T14:00:00Z")),
        new(Encounter: EdVisit("ed2", "2025-09-09T10:00:00Z", "2025-09-09T14:00:00Z")), // 6 months and a day before
        new(Encounter: EdVisit("ed3", "2025-09-11T10:00:00Z", "2025-09-11T14:00:00Z")),
        new(Encounter: Stay("s-1", "2025-03-09T10:00:00Z", "2025-03-12T10:00:00Z")), // 12 months and a day before
        new(Encounter: Stay("s0", "2025-04-01T10:00:00Z", "2025-04-05T10:00:00Z")),
        new(Encounter: Stay("s1", "2026-03-10T08:00:00Z", "2026-03-16T12:00:00Z", disposition: "snf")),
        new(Conditions: [Condition("c1", CodeSystems.Icd10Cm, "I50.9", "2024-01-10T00:00:00Z")]),
        new(Conditions: [Condition("c2", CodeSystems.Icd10Cm, "E11.9", "2020-05-01T00:00:00Z")]),
        new(Conditions: [Condition("c3", CodeSystems.Icd10Cm, "E11.22", "2023-05-01T00:00:00Z")]),
        new(Conditions: [Condition("c4", CodeSystems.Icd10Cm, "J44.9", "2023-05-01T00:00:00Z", verification: "refuted")]),
        new(Observations: [Lab("o1", Loinc.HemoglobinMassBlood, 130, "g/L", "2026-03-01T08:00:00Z")]), // before the stay's window
        new(Observations: [Lab("o2", Loinc.HemoglobinMassBlood, 10.5, "g/dL", "2026-03-15T08:00:00Z")]),
        new(Observations: [Lab("o3", Loinc.SodiumSerumPlasma, 131, "mmol/L", "2026-03-14T08:00:00Z")]),
        new(Observations: [Lab("o4", Loinc.SodiumBlood, 133, "mmol/L", "2026-03-15T08:00:00Z")]),
        new(Observations: [Lab("o5", Loinc.CreatinineSerumPlasma, 1.0, "mg/dL", "2026-03-12T08:00:00Z")]),
        new(Observations: [Lab("o6", Loinc.CreatinineMolesSerumPlasma, 123.79, "umol/L", "2026-03-13T08:00:00Z")]), // 1.40 mg/dL
        new(Observations: [Lab("o7", Loinc.RespiratoryRate, 22, "/min", "2026-03-16T08:00:00Z")]),
        new(Observations: [Lab("o8", Loinc.OxygenSaturationPulseOximetry, 95, "%", "2026-03-16T08:00:00Z")]),
        new(Observations: [Lab("o9", Loinc.InhaledOxygenFlowRate, 2, "L/min", "2026-03-16T08:00:00Z")]),
        new(Observations: [Lab("o10", Loinc.SystolicBloodPressure, 105, "mm[Hg]", "2026-03-16T08:00:00Z")]),
        new(Observations: [Lab("o11", Loinc.HeartRate, 95, "/min", "2026-03-16T08:00:00Z")]),
        new(Observations: [Lab("o12", Loinc.BodyTemperature, 38.2, "Cel", "2026-03-16T08:00:00Z")]),
        new(Observations: [Coded("o13", Loinc.LevelOfConsciousness, "248234008", "2026-03-16T08:00:00Z")]),
        new(Observations: [Lab("o14", Loinc.HemoglobinMassBlood, 6.0, "g/dL", "2026-03-15T09:00:00Z", status: "entered-in-error")]),
        new(Procedure: Procedure("pr1", "2026-03-11T10:00:00Z", encounterId: "s1")),
        new(Procedure: Procedure("pr2", "2026-03-12T10:00:00Z", encounterId: "s1", status: "not-done")),
        new(MedicationRequest: Medication("m1", "197361", "2025-06-01T00:00:00Z")),
        new(MedicationRequest: Medication("m2", "197361", "2026-01-01T00:00:00Z")), // same drug again
        new(MedicationRequest: Medication("m3", "860975", "2026-03-16T11:00:00Z")),
        new(MedicationRequest: Medication("m4", "310429", "2026-03-16T11:00:00Z")),
        new(MedicationRequest: Medication("m5", "314076", "2026-03-16T11:00:00Z", status: "cancelled")),
        new(MedicationRequest: Medication("m6", "105585", "2025-02-01T00:00:00Z")), // over a year before
    ];

    private static ClinicalFeatures Build(IEnumerable<ProjectedFacts> facts, string stay = "s1", DateTimeOffset? asOf = null) =>
        FeatureBuilder.Build(PatientTimeline.Create(PatientId, facts), stay, asOf ?? Discharge)!;

    [Fact]
    public void Index_stay_and_utilization_features()
    {
        var f = Build(Record());

        Assert.Equal(75, f.AgeYears);
        Assert.True(f.Female);
        Assert.Equal(6, f.LengthOfStayDays);
        Assert.True(f.EmergentAdmission); // no priority recorded; an ED visit ended 30 min before admission
        Assert.Equal(1, f.ProceduresDuringStay);
        Assert.Equal("snf", f.DischargeDisposition);
        Assert.Equal(1, f.AdmissionsPrior12Months);
        Assert.Equal(2, f.EdVisitsPrior6Months); // ed1 and ed3; not ed0 (led to this admission) nor ed2 (too early)
        Assert.Equal(3, f.ActiveMedicationCount);
    }

    [Fact]
    public void Comorbidities_ignore_refuted_conditions()
    {
        var f = Build(Record());
        Assert.Equal(["chf", "diab", "diabwc"], f.CharlsonCategories.Order());
        Assert.Equal(2 + 2, Lace.ComorbiditySum(f.CharlsonCategories));
    }

    [Fact]
    public void Labs_are_the_latest_valid_values_of_the_stay_in_canonical_units_across_LOINC_variants()
    {
        var f = Build(Record());

        Assert.Equal(10.5, f.Hemoglobin!.Value); // not 13.0 from before the stay, not the entered-in-error 6.0
        Assert.Equal(133, f.Sodium!.Value); // 2947-0 after 2951-2
        Assert.Equal(1.40, f.Creatinine!.Value, 2); // µmol/L reading of 14682-9
        Assert.Equal(new CreatinineCourse(f.Creatinine.Value, 1.0, 1.0), f.CreatinineCourse);
        Assert.Equal(1, Kdigo.Stage(f.CreatinineCourse!));
        Assert.Null(f.Albumin);
    }

    [Fact]
    public void Published_scores_of_the_discharge_match_a_hand_calculation()
    {
        var scores = PublishedScores.All(Build(Record())).ToDictionary(s => s.Name);

        // LACE: LOS 6 → 4, emergent 3, CHF 2 + complicated diabetes 2 = 4 → 5, two ED visits 2.
        Assert.Equal(14, scores["LACE"].Total);
        // HOSPITAL: Hb 10.5 → 1, Na 133 → 1, procedure 1, emergent 1, one prior admission 0, LOS ≥ 5 → 2.
        Assert.Equal(6, scores["HOSPITAL"].Total);
        // NEWS2: RR 22 → 2, SpO2 95 → 1, oxygen 2, SBP 105 → 1, pulse 95 → 1, alert 0, 38.2 °C → 1.
        Assert.Equal(8, scores["NEWS2"].Total);
        Assert.Equal("high", scores["NEWS2"].RiskCategory);
        Assert.Equal(1, scores["KDIGO AKI stage"].Total);
    }

    [Fact]
    public void Nothing_recorded_after_the_instant_changes_a_feature()
    {
        var before = Build(Record());
        var planted = Record();
        planted.AddRange(
        [
            new(Observations: [Lab("f1", Loinc.HemoglobinMassBlood, 7.0, "g/dL", "2026-03-16T12:00:01Z")]),
            new(Observations: [Lab("f2", Loinc.CreatinineSerumPlasma, 4.5, "mg/dL", "2026-03-17T08:00:00Z")]),
            new(Observations: [Coded("f3", Loinc.LevelOfConsciousness, "422768004", "2026-03-16T13:00:00Z")]),
            new(Conditions: [Condition("f4", CodeSystems.Icd10Cm, "C78.00", "2026-03-20T00:00:00Z")]),
            new(Encounter: EdVisit("f5", "2026-03-18T10:00:00Z", "2026-03-18T14:00:00Z")),
            new(Encounter: Stay("f6", "2026-04-01T10:00:00Z", "2026-04-03T10:00:00Z")), // the readmission itself
            new(MedicationRequest: Medication("f7", "1364445", "2026-03-17T00:00:00Z")),
            new(Procedure: Procedure("f8", "2026-03-16T12:30:00Z", encounterId: "s1")),
        ]);
        planted[0] = new(Patient: Patient(died: At("2026-03-25T00:00:00Z")));

        var after = Build(planted);

        Assert.Equal(FeatureCatalog.Vectorize(before), FeatureCatalog.Vectorize(after), new VectorComparer());
        Assert.Equal(PublishedScores.All(before).Select(s => s.Total), PublishedScores.All(after).Select(s => s.Total));
    }

    [Fact]
    public void During_a_stay_the_discharge_is_not_yet_known()
    {
        var f = Build(Record(), asOf: At("2026-03-12T12:00:00Z"));

        Assert.Null(f.DischargedAt);
        Assert.Null(f.DischargeDisposition);
        Assert.Equal(2, f.LengthOfStayDays);
        Assert.Equal(1.0, f.Creatinine!.Value);
        Assert.Null(f.Hemoglobin); // the stay's first hemoglobin is on 15 March
        Assert.Equal(1, f.ActiveMedicationCount); // only the amlodipine of 2025-06 and 2026-01
    }

    [Fact]
    public void A_stay_that_had_not_started_has_no_features() =>
        Assert.Null(FeatureBuilder.Build(PatientTimeline.Create(PatientId, Record()), "s1", At("2026-03-01T00:00:00Z")));

    [Theory]
    [InlineData("EM", null, true)]
    [InlineData("UR", null, true)]
    [InlineData("EL", "emd", false)] // an explicit elective priority wins
    [InlineData(null, "emd", true)]
    public void Emergent_admission_reads_priority_then_admit_source(string? priority, string? admitSource, bool emergent)
    {
        List<ProjectedFacts> facts =
        [
            new(Patient: Patient()),
            new(Encounter: Stay("s1", "2026-03-10T08:00:00Z", "2026-03-12T08:00:00Z", priority: priority, admitSource: admitSource)),
        ];
        Assert.Equal(emergent, Build(facts, asOf: At("2026-03-12T08:00:00Z")).EmergentAdmission);
    }

    [Fact]
    public void Age_counts_completed_years()
    {
        Assert.Equal(75, FeatureBuilder.AgeAt(new DateOnly(1950, 6, 15), new DateOnly(2025, 6, 15)));
        Assert.Equal(74, FeatureBuilder.AgeAt(new DateOnly(1950, 6, 15), new DateOnly(2025, 6, 14)));
        Assert.Equal(75, FeatureBuilder.AgeAt(new DateOnly(1950, 2, 28), new DateOnly(2025, 2, 28)));
        Assert.Null(FeatureBuilder.AgeAt(null, new DateOnly(2025, 6, 14)));
    }

    [Fact]
    public void Facts_of_another_patient_are_ignored()
    {
        var stray = Lab("x", Loinc.HemoglobinMassBlood, 5.0, "g/dL", "2026-03-16T09:00:00Z") with { PatientId = "someone-else" };
        var facts = Record();
        facts.Add(new ProjectedFacts(Observations: [stray]));
        Assert.Equal(10.5, Build(facts).Hemoglobin!.Value);
    }

    private sealed class VectorComparer : IEqualityComparer<FeatureVector>
    {
        public bool Equals(FeatureVector? x, FeatureVector? y) =>
            x is not null && y is not null && x.CatalogVersion == y.CatalogVersion && x.Values.SequenceEqual(y.Values);

        public int GetHashCode(FeatureVector obj) => obj.Values.Count;
    }
}
