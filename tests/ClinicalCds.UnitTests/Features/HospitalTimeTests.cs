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

    [Theory]
    // The same wall-clock time months earlier, across a change of offset: 1 May 09:00 EDT less 6 months is 1 November
    // 09:00 EDT; 15 January 09:00 EST less 6 months is 15 July 09:00 EDT (13:00 UTC, not 14:00).
    [InlineData("2180-05-01T09:00:00-04:00", 6, "2179-11-01T09:00:00-04:00")]
    [InlineData("2181-01-15T09:00:00-05:00", 6, "2180-07-15T09:00:00-04:00")]
    [InlineData("2181-01-15T14:00:00Z", 6, "2180-07-15T09:00:00-04:00")] // an instant written in UTC: the hospital's clock decides
    [InlineData("2181-03-31T12:00:00-04:00", 1, "2181-02-28T12:00:00-05:00")] // the day clamped to the month's last
    [InlineData("2026-09-08T02:30:00-04:00", 6, "2026-03-08T03:30:00-04:00")] // 02:30 on 8 March 2026 never happened in New York
    [InlineData("2181-01-15T09:00:00-05:00", 12, "2180-01-15T09:00:00-05:00")]
    public void Months_before_an_instant_are_months_of_the_hospitals_calendar(string instant, int months, string expected)
    {
        var start = NewYork.MonthsBefore(DateTimeOffset.Parse(instant), months);
        Assert.Equal(DateTimeOffset.Parse(expected), start);
        Assert.Equal(DateTimeOffset.Parse(expected).Offset, start.Offset);
    }

    [Fact]
    public void Utilization_windows_and_age_follow_the_timelines_calendar()
    {
        // Admitted 15 January 2181 at 09:00 in New York (14:00 UTC): the six months open on 15 July 2180 at 09:00 New
        // York time (13:00 UTC, daylight time), where UTC arithmetic would open them at 14:00 UTC. An ED visit at 13:30
        // UTC is inside the hospital's six months only; one at 14:30 UTC inside both. The birthday is the 17th: 20:00 on
        // the 16th in New York is already the 17th in UTC.
        var stay = Stay("stay", "2181-01-15T14:00:00Z", "2181-01-17T14:00:00Z");
        ProjectedFacts[] facts =
        [
            new(Patient: Patient("1950-01-17")),
            new(Encounter: EdVisit("edge", "2180-07-15T13:30:00Z", "2180-07-15T16:00:00Z")),
            new(Encounter: EdVisit("inside", "2180-07-15T14:30:00Z", "2180-07-15T17:00:00Z")),
            new(Encounter: stay),
        ];
        var asOf = At("2181-01-17T01:00:00Z"); // the 16th, 20:00 in New York; the 17th in UTC
        var utc = FeatureBuilder.Build(PatientTimeline.Create(PatientId, facts), "stay", asOf)!;
        var local = FeatureBuilder.Build(PatientTimeline.Create(PatientId, facts, NewYork), "stay", asOf)!;
        Assert.Equal(1, utc.EdVisitsPrior6Months);
        Assert.Equal(2, local.EdVisitsPrior6Months);
        Assert.Equal(231, utc.AgeYears);
        Assert.Equal(230, local.AgeYears);
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
