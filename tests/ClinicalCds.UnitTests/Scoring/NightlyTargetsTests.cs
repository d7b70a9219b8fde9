using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Scoring;

/// <summary>Issue 32 item 5: the instants serving sees, and input drift judged against the inputs at them.</summary>
public sealed class NightlyTargetsTests
{
    private static PatientTimeline Timeline(params EncounterFact[] encounters) =>
        PatientTimeline.Create(PatientId, [new ProjectedFacts(Patient: Patient()), .. encounters.Select(e => new ProjectedFacts(Encounter: e))]);

    private static readonly PatientTimeline OneStay = Timeline(Stay("stay", "2026-03-10T10:00:00Z", "2026-03-13T15:00:00Z"));

    private static readonly DateTimeOffset Cutoff = DateTimeOffset.Parse("2026-06-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_risk_during_the_stay_is_taken_every_night_the_patient_is_in_and_a_risk_at_discharge_once_as_of_the_discharge()
    {
        var during = NightlyTargets.Of(RiskCatalog.Complication, OneStay, new TimeOnly(2, 0), TimeZoneInfo.Utc, Cutoff).ToList();
        Assert.Equal(["2026-03-11T02:00", "2026-03-12T02:00", "2026-03-13T02:00"], during.Select(t => t.Instant.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(during, t => Assert.Equal("stay", t.Stay.EncounterId));

        var discharge = Assert.Single(NightlyTargets.Of(RiskCatalog.Readmission, OneStay, new TimeOnly(2, 0), TimeZoneInfo.Utc, Cutoff));
        Assert.Equal(OneStay.Encounters.Single().End, discharge.Instant);

        // A discharge after the end of the data is not yet a target; a stay still open is scored up to the cutoff.
        Assert.Empty(NightlyTargets.Of(RiskCatalog.Readmission, OneStay, new TimeOnly(2, 0), TimeZoneInfo.Utc, OneStay.Encounters.Single().End!.Value.AddHours(-1)));
        Assert.Equal(2, NightlyTargets.Of(RiskCatalog.Complication, OneStay, new TimeOnly(2, 0), TimeZoneInfo.Utc, DateTimeOffset.Parse("2026-03-12T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture)).Count());
    }

    [Fact]
    public void Nights_are_the_local_run_time_of_each_day_across_a_daylight_saving_change()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var nights = NightlyTargets.Nights(
            DateTimeOffset.Parse("2026-03-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse("2026-03-30T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture), new TimeOnly(3, 0), berlin).ToList();
        // 03:00 in Berlin: +01:00 before the clocks go forward at 02:00 on 29 March 2026, +02:00 from then on.
        Assert.Equal(["2026-03-28T02:00Z", "2026-03-29T01:00Z", "2026-03-30T01:00Z"], nights.Select(n => n.UtcDateTime.ToString("yyyy-MM-ddTHH:mmZ", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Temperatures charted to 0.1 °C (mean 36.8, SD 0.3), one in twenty charted in °F to 0.1 and converted (36.94 °C,
    /// between the grid's values): the mix that gave an unchanged population a PSI of 0.28–0.34 against the nominal twentieths.
    /// </summary>
    private static List<IReadOnlyList<double?>> Temperatures(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ =>
        {
            var celsius = 36.8 + (0.3 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            return (IReadOnlyList<double?>)[random.NextDouble() < 0.05 ? Math.Round((Math.Round((celsius * 9 / 5) + 32, 1) - 32) * 5 / 9, 2) : Math.Round(celsius, 1)];
        })];
    }

    [Fact]
    public void Temperatures_unchanged_raise_no_alarm_against_their_serving_reference_where_the_nominal_twentieths_did()
    {
        var training = Temperatures(20_000, 1);
        var served = Temperatures(2_000, 2);
        var reference = ServingReference.Of([.. training.Select(v => v[0])])!;
        var quantiles = MissingInputs.ReferenceOf([.. training.Select(v => v[0]!.Value)]);
        CardFeature old = new("Temperature", "Cel", "test", 36.8, 0.3, 0, quantiles);
        CardFeature serving = old with { Serving = reference };

        var before = InputDrift.Compare([old], served, new DriftThresholds()).Single();
        var after = InputDrift.Compare([serving], served, new DriftThresholds()).Single();
        Assert.True(after.Psi < 0.02, $"PSI {after.Psi:0.000} against the serving reference");
        Assert.Empty(after.Alarms);
        Assert.Contains(InputDrift.Shifted, before.Alarms); // PSI above 0.25 on an unchanged population
        Assert.True(before.Psi > 0.25, $"PSI {before.Psi:0.000} against the nominal twentieths");

        // A real shift still sounds: half a degree warmer.
        Assert.Contains(InputDrift.Shifted, InputDrift.Compare([serving], [.. Temperatures(2_000, 3).Select(v => (IReadOnlyList<double?>)[v[0] + 0.5])], new DriftThresholds()).Single().Alarms);
    }
}
