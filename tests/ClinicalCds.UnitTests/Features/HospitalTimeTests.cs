using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Timeline;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Features;

/// <summary>Length of stay counts the hospital's calendar days (Clinical:TimeZone), not UTC dates (issue 30 item 2).</summary>
public sealed class HospitalTimeTests
{
    private static readonly HospitalTime NewYork = HospitalTime.For("America/New_York");

    [Theory]
    // The reviewer's MIMIC stay: admitted 23:09, discharged 14:48 four days and 15 hours later, New York time (EST,
    // UTC-5): 5 days there, 4 UTC dates apart (the admission is already the next day in UTC).
    [InlineData("2180-01-10T23:09:00-05:00", "2180-01-15T14:48:00-05:00", 5, 4)]
    [InlineData("2180-01-10T12:00:00-05:00", "2180-01-14T12:00:00-05:00", 4, 4)]
    // Same local day, across UTC midnight: 0 days there, 1 by UTC dates.
    [InlineData("2180-07-01T18:00:00-04:00", "2180-07-01T22:00:00-04:00", 0, 1)]
    // Across the spring-forward night of 2026 (EST to EDT on March 8): one local night is one day.
    [InlineData("2026-03-07T22:00:00-05:00", "2026-03-08T22:00:00-04:00", 1, 1)]
    public void Days_are_counted_on_the_hospitals_calendar(string admitted, string discharged, int newYorkDays, int utcDays)
    {
        var (from, until) = (DateTimeOffset.Parse(admitted), DateTimeOffset.Parse(discharged));
        Assert.Equal(newYorkDays, NewYork.CalendarDays(from, until));
        Assert.Equal(utcDays, HospitalTime.Utc.CalendarDays(from, until));
    }

    [Fact]
    public void The_feature_builder_reads_length_of_stay_in_the_timelines_calendar()
    {
        var stay = Stay("stay", "2180-01-10T04:09:00Z", "2180-01-14T19:48:00Z"); // the 9th 23:09 to the 14th 14:48 in New York
        ProjectedFacts[] facts = [new(Patient: Patient()), new(Encounter: stay)];
        var utc = FeatureBuilder.Build(PatientTimeline.Create(PatientId, facts), "stay", At("2180-01-14T19:48:00Z"))!;
        var local = FeatureBuilder.Build(PatientTimeline.Create(PatientId, facts, NewYork), "stay", At("2180-01-14T19:48:00Z"))!;
        Assert.Equal(4, utc.LengthOfStayDays);
        Assert.Equal(5, local.LengthOfStayDays);

        var late = Stay("late", "2180-01-10T15:00:00Z", "2180-01-15T02:00:00Z"); // the 10th 10:00 to the 14th 21:00 in New York
        ProjectedFacts[] lateFacts = [new(Patient: Patient()), new(Encounter: late)];
        Assert.Equal(5, FeatureBuilder.Build(PatientTimeline.Create(PatientId, lateFacts), "late", At("2180-01-15T02:00:00Z"))!.LengthOfStayDays);
        Assert.Equal(4, FeatureBuilder.Build(PatientTimeline.Create(PatientId, lateFacts, NewYork), "late", At("2180-01-15T02:00:00Z"))!.LengthOfStayDays);
        // A timeline cut as of an instant keeps its calendar.
        Assert.Same(NewYork, PatientTimeline.Create(PatientId, lateFacts, NewYork).AsOf(At("2180-01-12T00:00:00Z")).Time);
    }

    [Fact]
    public void An_unknown_zone_is_a_configuration_error_in_words()
    {
        var error = Assert.Throws<InvalidOperationException>(() => HospitalTime.For("Mars/Olympus_Mons"));
        Assert.Contains("Clinical:TimeZone 'Mars/Olympus_Mons' is not an IANA time zone", error.Message, StringComparison.Ordinal);
        Assert.Same(HospitalTime.Utc, HospitalTime.For(null));
        Assert.Equal("America/New_York", EncounterRules.MimicIv.TimeZone);
    }
}
