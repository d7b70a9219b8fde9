namespace ClinicalCds.Domain.Clinical;

/// <summary>
/// The hospital's local time (<c>Clinical:TimeZone</c>, IANA): day-based inputs count the days of the hospital's own
/// calendar, as the administrative data LACE and HOSPITAL were derived on count them — a patient admitted at 23:09 and
/// discharged at 14:48 four days later in New York stayed 5 days there, though only 4 UTC dates apart. FHIR instants keep
/// their meaning (they are instants); only the calendar day they fall on depends on the zone.
/// </summary>
public sealed class HospitalTime
{
    public static readonly HospitalTime Utc = new(TimeZoneInfo.Utc);

    public HospitalTime(TimeZoneInfo zone) => Zone = zone;

    public TimeZoneInfo Zone { get; }

    /// <summary>The hospital's calendar date of an instant.</summary>
    public DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>Calendar days from one instant to another in the hospital's calendar (a stay's length as administrative data count it).</summary>
    public int CalendarDays(DateTimeOffset from, DateTimeOffset until) => DateOf(until).DayNumber - DateOf(from).DayNumber;

    /// <summary>
    /// The instant <paramref name="months"/> calendar months before <paramref name="instant"/> on the hospital's clock
    /// (LACE's "6 months before admission", HOSPITAL's "previous 12 months"): the same wall-clock time, the day clamped to
    /// the month's last (31 March less one month is 28 or 29 February). A wall-clock time skipped by a daylight-saving
    /// change is read an hour later; one that occurs twice, as standard time.
    /// </summary>
    public DateTimeOffset MonthsBefore(DateTimeOffset instant, int months)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone).DateTime.AddMonths(-months);
        if (Zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), Zone.GetUtcOffset(local));
    }

    /// <summary>The zone an IANA id names (null or empty: UTC); an id this machine does not know is a configuration error, said in words.</summary>
    public static HospitalTime For(string? ianaId)
    {
        if (string.IsNullOrWhiteSpace(ianaId))
        {
            return Utc;
        }

        try
        {
            return new HospitalTime(TimeZoneInfo.FindSystemTimeZoneById(ianaId));
        }
        catch (TimeZoneNotFoundException)
        {
            throw new InvalidOperationException($"Clinical:TimeZone '{ianaId}' is not an IANA time zone this machine knows (e.g. America/New_York; install tzdata).");
        }
    }

    public override string ToString() => Zone.Id;
}
