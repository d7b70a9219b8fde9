using ClinicalCds.Domain.Risks;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Scoring;

/// <summary>Which stay a population run (and the patient-view hook) scores, as of an instant.</summary>
public sealed class RiskTargetsTests
{
    private static PatientTimeline Timeline(params EncounterFact[] encounters) =>
        PatientTimeline.Create(PatientId, [new ProjectedFacts(Patient: Patient()), .. encounters.Select(e => new ProjectedFacts(Encounter: e))]);

    private static readonly PatientTimeline TwoStays = Timeline(
        Stay("old", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"),
        EdVisit("ed", "2026-03-01T00:00:00Z", "2026-03-01T05:00:00Z"),
        Stay("recent", "2026-03-10T00:00:00Z", "2026-03-15T12:00:00Z"));

    [Theory]
    // During the recent stay: deterioration is judged now; readmission waits for the discharge.
    [InlineData("2026-03-12T00:00:00Z", "recent", "2026-03-12T00:00:00Z", RiskTargets.StillAdmitted)]
    // At the discharge instant the stay has ended: readmission is judged at the discharge.
    [InlineData("2026-03-15T12:00:00Z", null, null, null)]
    // 30 days after discharge: still in the window; a moment later: out of it.
    [InlineData("2026-04-14T12:00:00Z", null, null, null)]
    [InlineData("2026-04-14T12:00:01Z", null, null, "latest discharge more than 30 days ago")]
    // Between the two stays, more than 30 days after the first discharge.
    [InlineData("2026-03-05T00:00:00Z", null, null, "latest discharge more than 30 days ago")]
    // Before any stay.
    [InlineData("2025-12-31T00:00:00Z", null, null, RiskTargets.NoInpatientStay)]
    public void Each_risk_takes_the_latest_inpatient_stay_at_its_own_instant(
        string asOf, string? deteriorationStay, string? deteriorationInstant, string? readmissionSkip)
    {
        var at = At(asOf);
        var deterioration = RiskCatalog.Complication.Choose(TwoStays, at);
        Assert.Equal(deteriorationStay, deterioration.Target?.Stay.EncounterId);
        Assert.Equal(deteriorationInstant is null ? null : At(deteriorationInstant), deterioration.Target?.Instant);
        if (deteriorationStay is null)
        {
            Assert.Equal(at < At("2026-01-01T00:00:00Z") ? RiskTargets.NoInpatientStay : RiskTargets.NotAdmitted, deterioration.SkipReason);
        }

        var readmission = RiskCatalog.Readmission.Choose(TwoStays, at);
        Assert.Equal(readmissionSkip, readmission.SkipReason);
        if (readmissionSkip is null)
        {
            Assert.Equal(("recent", At("2026-03-15T12:00:00Z")), (readmission.Target!.Stay.EncounterId, readmission.Target.Instant));
        }
    }

    [Fact]
    public void A_patient_who_died_has_no_risk_but_was_at_risk_while_alive()
    {
        // Died in the stay (discharged as expired): no readmission risk at or after that discharge.
        var diedInStay = Timeline(Stay("fatal", "2026-03-10T00:00:00Z", "2026-03-15T12:00:00Z", disposition: "exp"));
        Assert.Equal(RiskTargets.Deceased, RiskCatalog.Readmission.Choose(diedInStay, At("2026-03-16T00:00:00Z")).SkipReason);
        // Before its end the stay was in progress: the patient was at risk of deteriorating then, as runs replayed for that instant see.
        Assert.Equal("fatal", RiskCatalog.Complication.Choose(diedInStay, At("2026-03-12T00:00:00Z")).Target?.Stay.EncounterId);

        // Discharged alive, died at home a week later: at risk of readmission until then, not after.
        var diedAtHome = PatientTimeline.Create(PatientId,
        [
            new ProjectedFacts(Patient: Patient(died: At("2026-03-22T00:00:00Z"))),
            new ProjectedFacts(Encounter: Stay("stay", "2026-03-10T00:00:00Z", "2026-03-15T12:00:00Z", disposition: "home")),
        ]);
        Assert.Equal("stay", RiskCatalog.Readmission.Choose(diedAtHome, At("2026-03-20T00:00:00Z")).Target?.Stay.EncounterId);
        Assert.Equal(RiskTargets.Deceased, RiskCatalog.Readmission.Choose(diedAtHome, At("2026-03-23T00:00:00Z")).SkipReason);
    }

    [Fact]
    public void A_stay_a_hook_names_is_judged_by_the_same_rule_never_for_the_dead()
    {
        // Issue 30: encounter-discharge and encounter-start name their stay; the risk's rule still decides.
        var diedInStay = Timeline(Stay("fatal", "2026-03-10T00:00:00Z", "2026-03-15T12:00:00Z", disposition: "exp"));
        var fatal = diedInStay.Encounters.Single();
        Assert.Equal(RiskTargets.Deceased, RiskCatalog.Readmission.ChooseStay(diedInStay, fatal, At("2026-03-15T12:00:00Z")).SkipReason);
        // While it was in progress the patient was alive and at risk of deteriorating, judged at that instant.
        var during = RiskCatalog.Complication.ChooseStay(diedInStay, fatal, At("2026-03-12T00:00:00Z"));
        Assert.Equal(("fatal", At("2026-03-12T00:00:00Z")), (during.Target?.Stay.EncounterId, during.Target?.Instant));

        var diedAtHome = PatientTimeline.Create(PatientId,
        [
            new ProjectedFacts(Patient: Patient(died: At("2026-03-22T00:00:00Z"))),
            new ProjectedFacts(Encounter: Stay("stay", "2026-03-10T00:00:00Z", "2026-03-15T12:00:00Z", disposition: "home")),
        ]);
        var stay = diedAtHome.Encounters.Single();
        // Called at or after the discharge while alive: judged at the discharge; after the death: no risk.
        var alive = RiskCatalog.Readmission.ChooseStay(diedAtHome, stay, At("2026-03-21T23:59:59Z"));
        Assert.Equal(At("2026-03-15T12:00:00Z"), alive.Target?.Instant);
        Assert.Equal(RiskTargets.Deceased, RiskCatalog.Readmission.ChooseStay(diedAtHome, stay, At("2026-03-22T00:00:00Z")).SkipReason);
        // A discharge being made now (the stay still open at the call) is judged now.
        var open = Timeline(Stay("open", "2026-03-10T00:00:00Z", null));
        Assert.Equal(At("2026-03-12T00:00:00Z"), RiskCatalog.Readmission.ChooseStay(open, open.Encounters.Single(), At("2026-03-12T00:00:00Z")).Target?.Instant);
    }

    [Fact]
    public void Emergency_visits_and_cancelled_stays_are_not_stays()
    {
        var timeline = Timeline(
            EdVisit("ed", "2026-03-01T00:00:00Z", "2026-03-01T05:00:00Z"),
            Stay("cancelled", "2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z") with { Status = "cancelled" });
        Assert.Equal(RiskTargets.NoInpatientStay, RiskCatalog.Readmission.Choose(timeline, At("2026-03-05T00:00:00Z")).SkipReason);
        Assert.Equal(RiskTargets.NoInpatientStay, RiskCatalog.Complication.Choose(timeline, At("2026-03-03T00:00:00Z")).SkipReason);
    }

    [Fact]
    public void Deterioration_risk_is_not_estimated_in_intensive_care_or_after_a_first_deterioration_of_the_stay()
    {
        var transferred = Stay("stay", "2026-03-10T00:00:00Z", null) with
        {
            Locations =
            [
                new EncounterLocationFact("ward", "Medical ward", false, At("2026-03-10T00:00:00Z"), At("2026-03-12T06:00:00Z")),
                new EncounterLocationFact("icu", "Medical ICU", true, At("2026-03-12T06:00:00Z"), At("2026-03-14T06:00:00Z")),
                new EncounterLocationFact("ward", "Step-down unit", false, At("2026-03-14T06:00:00Z"), null),
            ],
        };
        var timeline = Timeline(transferred);

        // On the ward before the transfer: in the model's population.
        Assert.Equal("stay", RiskCatalog.Complication.Choose(timeline, At("2026-03-12T05:00:00Z")).Target?.Stay.EncounterId);
        // In intensive care, and back on a ward after it: outside it.
        Assert.Equal(RiskTargets.AfterDeterioration, RiskCatalog.Complication.Choose(timeline, At("2026-03-13T00:00:00Z")).SkipReason);
        Assert.Equal(RiskTargets.AfterDeterioration, RiskCatalog.Complication.Choose(timeline, At("2026-03-15T00:00:00Z")).SkipReason);

        // A cardiac arrest coded during the stay ends the population too; a direct ICU admission is never in it.
        var arrest = PatientTimeline.Create(PatientId,
        [
            new ProjectedFacts(Patient: Patient()),
            new ProjectedFacts(Encounter: Stay("stay", "2026-03-10T00:00:00Z", null)),
            new ProjectedFacts(Conditions: [new ConditionFact("ca", 0, PatientId, "stay", CodeSystems.Icd10Cm, "I46.9", null, "active", null, null, At("2026-03-11T03:00:00Z"), At("2026-03-11T03:10:00Z"), null)]),
        ]);
        Assert.NotNull(RiskCatalog.Complication.Choose(arrest, At("2026-03-11T02:00:00Z")).Target);
        Assert.Equal(RiskTargets.AfterDeterioration, RiskCatalog.Complication.Choose(arrest, At("2026-03-11T04:00:00Z")).SkipReason);
        var directIcu = Timeline(Stay("icu-stay", "2026-03-10T00:00:00Z", null, icu: true));
        Assert.Equal(RiskTargets.AfterDeterioration, RiskCatalog.Complication.Choose(directIcu, At("2026-03-10T01:00:00Z")).SkipReason);
        // Readmission risk at a discharge is not affected by an ICU stay during it.
        Assert.Null(RiskCatalog.Readmission.OutsidePopulation(directIcu, directIcu.Encounters[0], At("2026-03-10T01:00:00Z")));
    }
}

public sealed class ScoringOptionsTests
{
    [Fact]
    public void Defaults_cover_admitted_recent_discharges_and_the_last_12_months_and_validate()
    {
        var options = new ScoringOptions();
        Assert.Empty(options.Validate(RiskCatalog.Default));
        Assert.Equal(["admitted", "last-12-months", "recent-discharges"], options.EffectiveCohorts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(CohortKind.Admitted, options.EffectiveCohorts["admitted"].Kind);
        Assert.Equal((CohortKind.DischargedWithin, 30), (options.EffectiveCohorts["recent-discharges"].Kind, options.EffectiveCohorts["recent-discharges"].Days));
        Assert.Equal((CohortKind.EncounterWithin, 12), (options.EffectiveCohorts["last-12-months"].Kind, options.EffectiveCohorts["last-12-months"].Months));
    }

    [Fact]
    public void Mistakes_in_the_configuration_are_named()
    {
        var options = new ScoringOptions { ChunkSize = 0 };
        options.Cohorts["Bad Name"] = new CohortOptions { Models = ["sepsis"], Days = 0 };
        var errors = options.Validate(RiskCatalog.Default);
        Assert.Contains(errors, e => e.Contains("'Bad Name' is not a valid cohort name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown model 'sepsis'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Days and Months must be positive", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ChunkSize", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("12-readmission-0aa86ef6-0425-4c92-b1c1-97d3cec8a2d3", 12L, "readmission", "0aa86ef6-0425-4c92-b1c1-97d3cec8a2d3")]
    [InlineData("7-complication-p1", 7L, "complication", "p1")]
    [InlineData("x-readmission-p1", null, null, null)]
    [InlineData("7-sepsis-p1", null, null, null)]
    [InlineData("7-readmission-", null, null, null)]
    public void RiskAssessment_ids_name_their_run_model_and_patient(string id, long? run, string? model, string? patient)
    {
        var parsed = RiskAssessments.ParseId(id, RiskCatalog.Default);
        Assert.Equal(run, parsed?.RunId);
        Assert.Equal(model, parsed?.Model);
        Assert.Equal(patient, parsed?.PatientId);
        if (parsed is { } p)
        {
            Assert.Equal(id, RiskAssessments.Id(p.RunId, p.Model, p.PatientId));
        }
    }
}
