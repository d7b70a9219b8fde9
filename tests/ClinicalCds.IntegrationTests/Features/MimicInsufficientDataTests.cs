using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// Issue 31 item 3 on real data: how many MIMIC-IV discharges the shipped readmission model answers "insufficient data"
/// as charted and with every observation removed, and that the deterioration service without vital signs is one of them.
/// </summary>
[Collection(MimicStoreFixture.Collection)]
public sealed class MimicInsufficientDataTests(MimicStoreFixture mimic, ITestOutputHelper output)
{
    private static PatientTimeline WithoutObservations(PatientTimeline t) =>
        PatientTimeline.Create(t.PatientId, t.Patient, t.Encounters, t.Conditions, [], t.Procedures, t.MedicationRequests, time: t.Time);

    [Fact]
    public async Task Insufficient_data_is_answered_when_the_range_spans_tiers_or_the_main_inputs_are_missing_and_counted_as_charted_and_without_observations()
    {
        var models = mimic.Api.Services.GetRequiredService<IRiskModels>();
        Assert.NotNull(models.Find(RiskCatalog.Readmission.Name));
        var cutoff = mimic.Raw.Admissions.Where(a => a.End is not null).Max(a => a.End!.Value.Instant);
        var timelines = await mimic.TimelinesAsync();
        var discharges = timelines.SelectMany(t => RiskCatalog.Readmission.Examples(t, cutoff).Select(e => (Timeline: t, Example: e))).ToList();

        int charted = 0, withoutObservations = 0, spanning = 0;
        foreach (var (timeline, example) in discharges)
        {
            var target = new RiskTarget(example.Stay, example.Instant);
            var asCharted = RiskEngine.Score(RiskCatalog.Readmission, timeline, target, models).Explanation;
            var bare = RiskEngine.Score(RiskCatalog.Readmission, WithoutObservations(timeline), target, models).Explanation;
            charted += asCharted.InsufficientData ? 1 : 0;
            withoutObservations += bare.InsufficientData ? 1 : 0;

            // The rule itself: a stated tier only when the whole plausible range is in it (and no guardrail is raised).
            foreach (var risk in new[] { asCharted, bare })
            {
                var tiers = models.Find(RiskCatalog.Readmission.Name)!.Card.Tiers;
                var crosses = risk.Missing.Inputs.Count > 0 && tiers.TierOf(risk.Missing.PlausibleLow) != tiers.TierOf(risk.Missing.PlausibleHigh);
                spanning += crosses ? 1 : 0;
                Assert.True(!crosses || risk.InsufficientData, $"{example.Stay.EncounterId}: a range of {risk.Missing.PlausibleLow:P1}–{risk.Missing.PlausibleHigh:P1} states the tier {risk.Tier}");
            }
        }

        output.WriteLine($"{discharges.Count} MIMIC-IV index discharges: insufficient data at {charted} as charted, at {withoutObservations} with every observation removed; {spanning} ranges crossing a tier line");
        Assert.True(withoutObservations > charted, "removing every observation leaves more discharges undecidable");

        // The deterioration service during a stay without any vital sign: insufficient data, never a tier.
        var stay = timelines.SelectMany(t => t.Encounters.Where(EncounterKinds.IsInpatient).Select(e => (Timeline: t, Stay: e)))
            .First(p => p.Stay.End is { } end && end - p.Stay.Start > TimeSpan.FromDays(3));
        var midStay = stay.Stay.Start!.Value.AddDays(2);
        var deterioration = RiskEngine.Score(RiskCatalog.Complication, WithoutObservations(stay.Timeline), new RiskTarget(stay.Stay, midStay), models).Explanation;
        Assert.True(deterioration.InsufficientData, deterioration.Summary);
    }
}
