using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Features;

/// <summary>
/// Issue 30 (part): an ED visit that starts at the very instant of the inpatient stay (as Synthea writes them) makes the
/// admission emergent, and the labs of an admission that ended the day before are not this stay's.
/// </summary>
public sealed class StayBoundaryTests
{
    private static readonly DateTimeOffset Now = At("2026-03-20T12:00:00Z");

    private static PatientTimeline Timeline(PatientFact patient, params EncounterFact[] encounters) =>
        PatientTimeline.Create(PatientId, [new ProjectedFacts(Patient: patient), .. encounters.Select(e => new ProjectedFacts(Encounter: e))]);

    [Fact]
    public void An_ed_visit_starting_at_the_instant_of_the_inpatient_stay_makes_it_emergent()
    {
        // Synthea: the emergency encounter and the inpatient encounter share their start; the stay has no priority.
        var ed = EdVisit("ed", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z");
        var stay = Stay("s", "2026-03-10T08:00:00Z", "2026-03-15T10:00:00Z");
        var features = FeatureBuilder.Build(Timeline(Patient(), ed, stay), "s", Now)!;

        Assert.True(features.EmergentAdmission);
        Assert.Equal(0, features.EdVisitsPrior6Months);
        Assert.Contains(Lace.Score(PublishedScores.LaceInputOf(features)).Components, c => c.Name == "Acute (emergent) admission" && c.Points == 3);

        // An ED visit that starts after the admission did not lead to it.
        var later = EdVisit("ed", "2026-03-10T08:01:00Z", "2026-03-10T09:00:00Z");
        Assert.False(FeatureBuilder.Build(Timeline(Patient(), later, stay), "s", Now)!.EmergentAdmission);
    }

    [Fact]
    public void Labs_of_an_admission_that_ended_the_day_before_are_not_read_as_this_stays()
    {
        // The stay before ended at 22:00 with hemoglobin 7.5; this one began at 08:00 the next morning.
        var before = Stay("before", "2026-03-05T08:00:00Z", "2026-03-09T22:00:00Z");
        var stay = Stay("s", "2026-03-10T08:00:00Z", "2026-03-15T10:00:00Z");
        var oldHb = new ProjectedFacts(Observations: [Lab("hb-before", Loinc.HemoglobinMassBlood, 7.5, "g/dL", "2026-03-09T21:00:00Z")]);
        List<ProjectedFacts> facts = [new(Patient: Patient()), new(Encounter: before), new(Encounter: stay), oldHb];

        Assert.Null(FeatureBuilder.Build(PatientTimeline.Create(PatientId, facts), "s", Now)!.Hemoglobin);

        // The emergency work-up between the two stays is this stay's.
        facts.Add(new ProjectedFacts(Observations: [Lab("hb-ed", Loinc.HemoglobinMassBlood, 11.2, "g/dL", "2026-03-10T05:00:00Z")]));
        Assert.Equal(11.2, FeatureBuilder.Build(PatientTimeline.Create(PatientId, facts), "s", Now)!.Hemoglobin!.Value);
    }
}
