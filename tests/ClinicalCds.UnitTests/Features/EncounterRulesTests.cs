using System.Text;
using System.Text.Json;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Outcomes;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Fhir.Mapping;
using ClinicalCds.Fhir.Terminologies;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Features;

/// <summary>Which encounters are admissions, emergency visits, observation and ICU stays: a rule set, not one class code.</summary>
public sealed class EncounterRulesTests
{
    private const string Mimic = "http://mimic.mit.edu/fhir/mimic/identifier/";

    [Theory]
    // US Core / Synthea reads the class.
    [InlineData("us-core", "IMP", null, false, EncounterKind.Inpatient)]
    [InlineData("us-core", "ACUTE", null, false, EncounterKind.Inpatient)]
    [InlineData("us-core", "EMER", null, false, EncounterKind.Emergency)]
    [InlineData("us-core", "OBSENC", null, false, EncounterKind.Observation)]
    [InlineData("us-core", "AMB", null, false, EncounterKind.Other)]
    // MIMIC-IV on FHIR: by the identifier of the table the encounter came from, and the admission type's class.
    [InlineData("mimic-iv", "EMER", "encounter-hosp", false, EncounterKind.Inpatient)]
    [InlineData("mimic-iv", "AMB", "encounter-hosp", false, EncounterKind.Inpatient)]
    [InlineData("mimic-iv", "SS", "encounter-hosp", false, EncounterKind.Inpatient)]
    [InlineData("mimic-iv", "OBSENC", "encounter-hosp", false, EncounterKind.Observation)]
    [InlineData("mimic-iv", "EMER", "encounter-ed", true, EncounterKind.Emergency)]
    [InlineData("mimic-iv", "ACUTE", "encounter-icu", true, EncounterKind.IntensiveCare)]
    [InlineData("mimic-iv", "IMP", null, false, EncounterKind.Other)]
    public void Each_profile_reads_an_encounter_by_its_own_layout(string profile, string classCode, string? table, bool partOf, EncounterKind expected)
    {
        IReadOnlyList<string> identifiers = table is null ? [] : [$"{Mimic}{table}"];
        Assert.Equal(expected, EncounterRules.Profiles[profile].KindOf(classCode, identifiers, null, partOf));
    }

    [Fact]
    public void Observation_stays_are_neither_index_stays_nor_readmissions_unless_the_hospital_counts_them()
    {
        // Issue 30 item 4: the default follows CMS's Hospital Readmissions Reduction Program (observation stays are
        // outpatient care: no index stay, no readmission); Encounters:ObservationStaysAreAdmissions counts them.
        var rules = EncounterRules.MimicIv;
        var counting = rules.CountingObservationStays();
        IReadOnlyList<string> hosp = [$"{Mimic}encounter-hosp"];
        Assert.Equal(EncounterKind.Observation, rules.KindOf("OBSENC", hosp, null, false));
        Assert.Equal(EncounterKind.Inpatient, counting.KindOf("OBSENC", hosp, null, false));
        // Nothing else moves: ED visits, ICU stays and admissions read as before.
        Assert.Equal(EncounterKind.Emergency, counting.KindOf("EMER", [$"{Mimic}encounter-ed"], null, true));
        Assert.Equal(EncounterKind.IntensiveCare, counting.KindOf("ACUTE", [$"{Mimic}encounter-icu"], null, true));
        Assert.Equal(EncounterKind.Inpatient, counting.KindOf("EMER", hosp, null, false));

        // Read with each rule set: a discharge followed by an emergent observation stay 10 days later.
        Domain.Timeline.PatientTimeline Timeline(EncounterRules r) => PatientTimeline.Create(PatientId,
        [
            new ProjectedFacts(Patient: Patient()),
            new ProjectedFacts(Encounter: Stay("adm", "2026-03-10T00:00:00Z", "2026-03-15T00:00:00Z", priority: "EM") with { Kind = r.KindOf("EMER", hosp, null, false) }),
            new ProjectedFacts(Encounter: Stay("obs", "2026-03-25T00:00:00Z", "2026-03-26T00:00:00Z", priority: "EM") with { ClassCode = "OBSENC", Kind = r.KindOf("OBSENC", hosp, null, false) }),
        ]);
        var excluded = Domain.Risks.RiskCatalog.Readmission.Examples(Timeline(rules), At("2026-06-30T00:00:00Z")).ToList();
        var counted = Domain.Risks.RiskCatalog.Readmission.Examples(Timeline(counting), At("2026-06-30T00:00:00Z")).ToList();
        Assert.Equal([("adm", (bool?)false)], excluded.Select(e => (e.Stay.EncounterId, e.Label)));
        Assert.Equal([("adm", (bool?)true), ("obs", (bool?)false)], counted.Select(e => (e.Stay.EncounterId, e.Label)));
    }

    [Fact]
    public void An_ICU_stay_recorded_as_its_own_encounter_is_intensive_care_of_its_admission_not_another_admission()
    {
        var admission = Stay("adm", "2026-03-10T00:00:00Z", "2026-03-20T00:00:00Z") with { ClassCode = "EMER" };
        admission = admission with { Kind = EncounterKind.Inpatient };
        var icu = Stay("icu", "2026-03-12T06:00:00Z", "2026-03-14T00:00:00Z") with { ClassCode = "ACUTE", Kind = EncounterKind.IntensiveCare, PartOf = "adm" };
        var timeline = PatientTimeline.Create(PatientId, [new ProjectedFacts(Patient: Patient()), new ProjectedFacts(Encounter: admission), new ProjectedFacts(Encounter: icu)]);

        Assert.Equal(["adm"], IndexStays.Discharges(timeline).Select(d => d.Stay.EncounterId));
        Assert.Equal([At("2026-03-12T06:00:00Z")], EncounterKinds.IntensiveCareStarts(timeline.Encounters, admission));
        Assert.Equal(("icu-transfer", At("2026-03-12T06:00:00Z")), ComplicationOutcome.FirstEvent(timeline, admission));
        Assert.True(FeatureBuilder.Build(timeline, "adm", At("2026-03-20T00:00:00Z"))!.IntensiveCareDuringStay);
        Assert.False(FeatureBuilder.Build(timeline, "adm", At("2026-03-11T00:00:00Z"))!.IntensiveCareDuringStay);

        // An ICU stay begun before the admission's recorded start is a direct ICU admission: outside the deterioration population at once.
        var early = icu with { Start = At("2026-03-09T23:20:00Z") };
        var direct = PatientTimeline.Create(PatientId, [new ProjectedFacts(Patient: Patient()), new ProjectedFacts(Encounter: admission), new ProjectedFacts(Encounter: early)]);
        Assert.Equal(("icu-transfer", At("2026-03-10T00:00:00Z")), ComplicationOutcome.FirstEvent(direct, admission));
        Assert.Equal(Domain.Scoring.RiskTargets.AfterDeterioration, Domain.Risks.RiskCatalog.Complication.Choose(direct, At("2026-03-10T01:00:00Z")).SkipReason);
    }

    [Fact]
    public void The_fact_mapper_reads_kind_part_of_and_a_local_disposition_through_the_terminology()
    {
        var groups = ConceptMaps.Read(Encoding.UTF8.GetBytes("""
            {"resourceType":"ConceptMap","id":"m","status":"active","group":[{"source":"http://example.org/disposition",
             "target":"http://terminology.hl7.org/CodeSystem/discharge-disposition","element":[{"code":"DIED","target":[{"code":"exp","equivalence":"equivalent"}]}]}]}
            """), out var errors);
        Assert.Empty(errors);
        var terminology = new Terminology(groups, EncounterRules.MimicIv);
        using var icu = JsonDocument.Parse($$$"""
            {"resourceType":"Encounter","id":"icu","status":"finished","class":{"code":"ACUTE"},"subject":{"reference":"Patient/p"},
             "identifier":[{"system":"{{{Mimic}}}encounter-icu","value":"1"}],"partOf":{"reference":"Encounter/adm"},
             "period":{"start":"2026-03-12T06:00:00Z","end":"2026-03-14T00:00:00Z"}}
            """);
        var fact = FactMapper.Map(icu.RootElement, terminology: terminology).Encounter!;
        Assert.Equal((EncounterKind.IntensiveCare, "adm"), (fact.Kind, fact.PartOf));
        Assert.False(EncounterKinds.IsInpatient(fact));

        using var admission = JsonDocument.Parse($$$"""
            {"resourceType":"Encounter","id":"adm","status":"finished","class":{"code":"EMER"},"subject":{"reference":"Patient/p"},
             "identifier":[{"system":"{{{Mimic}}}encounter-hosp","value":"2"}],"period":{"start":"2026-03-10T00:00:00Z","end":"2026-03-20T00:00:00Z"},
             "hospitalization":{"dischargeDisposition":{"coding":[{"system":"http://example.org/disposition","code":"DIED"}]} } }
            """);
        var stay = FactMapper.Map(admission.RootElement, terminology: terminology).Encounter!;
        Assert.Equal((EncounterKind.Inpatient, "exp"), (stay.Kind, stay.DischargeDisposition));
        // Read by the US Core rules, the same admission would be an emergency visit (its class is EMER).
        Assert.Equal(EncounterKind.Emergency, FactMapper.Map(admission.RootElement).Encounter!.Kind);
    }
}
