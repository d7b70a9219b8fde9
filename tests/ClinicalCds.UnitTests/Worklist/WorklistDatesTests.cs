using ClinicalCds.Application.Worklist;
using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.UnitTests.Worklist;

/// <summary>Issue 35 items 2 and 3: the worklist's dates are the hospital's calendar days, as the features count them.</summary>
public sealed class WorklistDatesTests
{
    private static readonly HospitalTime NewYork = HospitalTime.For("America/New_York");

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

    private static WorklistRow Row(DateTimeOffset admitted, DateTimeOffset? discharged, DateTimeOffset asOf) => new(
        "p", null, null, "readmission", 0.2, "moderate", null, null, false, null, "Medicine", discharged, false, null, asOf, "summary")
    {
        Admitted = admitted,
    };

    [Fact]
    public void A_stay_counts_the_days_LACE_counts_and_a_discharge_late_last_evening_was_yesterday()
    {
        // Admitted 23:09 on 1 December, discharged 23:48 on 5 December, New York: 4 calendar days, counted as the features
        // count them (HospitalTime.CalendarDays); scored at 02:00 and looked at 09:30 the next morning.
        var admitted = At("2026-12-01T23:09:00-05:00");
        var discharged = At("2026-12-05T23:48:00-05:00");
        var row = Row(admitted, discharged, At("2026-12-06T02:00:00-05:00")).Dated(NewYork, At("2026-12-06T09:30:00-05:00"));

        Assert.Equal(NewYork.CalendarDays(admitted, discharged), row.LengthOfStayDays);
        Assert.Equal(4, row.LengthOfStayDays);
        // 9 h 42 min after the discharge, but on the next calendar day: "1 day ago", not "today"; the date is New York's.
        Assert.Equal(new DateOnly(2026, 12, 5), row.DischargeDate);
        Assert.Equal(1, row.DaysSinceDischarge);
        Assert.Equal(0, Row(admitted, discharged, discharged).Dated(NewYork, At("2026-12-05T23:59:00-05:00")).DaysSinceDischarge);
        // In UTC the same discharge is on 6 December: the zone decides the date.
        Assert.Equal(new DateOnly(2026, 12, 6), Row(admitted, discharged, discharged).Dated(HospitalTime.Utc, discharged).DischargeDate);
    }

    [Fact]
    public void Twelve_calendar_days_are_12_days_ago_whatever_the_hours()
    {
        var row = Row(At("2026-11-20T08:00:00Z"), At("2026-11-24T20:00:00Z"), At("2026-12-06T02:00:00Z")).Dated(HospitalTime.Utc, At("2026-12-06T09:00:00Z"));

        // 11 days 13 h elapsed; 24 November to 6 December is 12 calendar days.
        Assert.Equal(12, row.DaysSinceDischarge);
        Assert.Null(Row(At("2026-12-04T08:00:00Z"), null, At("2026-12-06T02:00:00Z")).Dated(HospitalTime.Utc, At("2026-12-06T09:00:00Z")).DaysSinceDischarge);
        Assert.Equal(2, Row(At("2026-12-04T08:00:00Z"), null, At("2026-12-06T02:00:00Z")).Dated(HospitalTime.Utc, At("2026-12-06T09:00:00Z")).LengthOfStayDays);
    }
}
