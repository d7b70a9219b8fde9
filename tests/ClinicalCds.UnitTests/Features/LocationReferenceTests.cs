using System.Text.Json;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Fhir.Mapping;

namespace ClinicalCds.UnitTests.Features;

/// <summary>
/// An ICU recognised however it is written (issue 29 item 5): an Encounter whose location is only a reference
/// ("Location/…", no display) is an ICU stay when the Location resource says so by its type (HL7 v3 RoleCode ICU), its
/// physical type or its name — so a patient in intensive care is outside the deterioration model's ward population
/// instead of being scored.
/// </summary>
public sealed class LocationReferenceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static JsonElement Patient => Json("""{"resourceType":"Patient","id":"p1","gender":"male","birthDate":"1951-01-01"}""");

    private static JsonElement Stay(string locationId) => Json($$$"""
        {"resourceType":"Encounter","id":"e1","status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
         "subject":{"reference":"Patient/p1"},"period":{"start":"2026-12-05T08:00:00Z"},
         "location":[{"location":{"reference":"Location/{{{locationId}}}"},"period":{"start":"2026-12-05T08:00:00Z"}}]}
        """);

    public static TheoryData<string> IntensiveCareLocations => new()
    {
        """{"resourceType":"Location","id":"L1","name":"Unit 7","type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"ICU","display":"Intensive care unit"}]}]}""",
        """{"resourceType":"Location","id":"L1","name":"Ward 12","type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"CCU"}]}]}""",
        """{"resourceType":"Location","id":"L1","name":"Bay 3","physicalType":{"text":"Critical care bay"}}""",
        """{"resourceType":"Location","id":"L1","name":"Medical Intensive Care Unit (MICU)","physicalType":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/location-physical-type","code":"wa","display":"Ward"}]}}""",
        """{"resourceType":"Location","id":"L1","name":"Coronary Care Unit (CCU)","physicalType":{"coding":[{"code":"wa","display":"Ward"}]}}""",
    };

    [Theory]
    [MemberData(nameof(IntensiveCareLocations))]
    public void A_stay_at_a_referenced_icu_location_is_an_icu_stay_outside_the_ward_population(string location)
    {
        var timeline = FhirTimeline.Build("p1", [Patient, Stay("L1"), Json(location)]);
        Assert.True(timeline.Encounter("e1")!.HadIntensiveCare);
        var choice = new ComplicationRisk().Choose(timeline, Now);
        Assert.Null(choice.Target);
        Assert.Equal(RiskTargets.AfterDeterioration, choice.SkipReason);
    }

    [Fact]
    public void A_referenced_ward_stays_a_ward_and_the_patient_is_scored()
    {
        var ward = Json("""{"resourceType":"Location","id":"L1","name":"Cardiology Surgery Intermediate","physicalType":{"coding":[{"code":"wa","display":"Ward"}]}}""");
        var timeline = FhirTimeline.Build("p1", [Patient, Stay("L1"), ward]);
        Assert.False(timeline.Encounter("e1")!.HadIntensiveCare);
        Assert.NotNull(new ComplicationRisk().Choose(timeline, Now).Target);
    }

    [Fact]
    public void An_icu_location_of_another_id_changes_nothing()
    {
        var otherIcu = Json("""{"resourceType":"Location","id":"L2","name":"Surgical ICU"}""");
        var timeline = FhirTimeline.Build("p1", [Patient, Stay("L1"), otherIcu]);
        Assert.False(timeline.Encounter("e1")!.HadIntensiveCare);
    }
}
