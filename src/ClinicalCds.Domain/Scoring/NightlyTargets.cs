using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Scoring;

/// <summary>
/// The targets a nightly run would score in a patient's history: one run a day at <c>runTime</c> in <c>zone</c>, each
/// choosing its stay by the risk's own rule (<see cref="RiskDefinition.Choose"/>), each target once. A risk during the stay
/// is scored every night the patient is in — at 02:00, not at the vital-sign sets training examples are taken at; a risk
/// at discharge once, as of the discharge. What serving sees is what input drift must be compared with (issue 32 item 5).
/// </summary>
public static class NightlyTargets
{
    public static IEnumerable<RiskTarget> Of(RiskDefinition risk, PatientTimeline timeline, TimeOnly runTime, TimeZoneInfo zone, DateTimeOffset cutoff)
    {
        var seen = new HashSet<(string, DateTimeOffset)>();
        foreach (var stay in timeline.Encounters.Where(e => EncounterKinds.IsInpatient(e) && e.Start is not null))
        {
            // During the stay: every night from admission to discharge. At discharge: the first night after it.
            var (from, until) = risk.Moment == RiskMoment.DuringStay
                ? (stay.Start!.Value, stay.End ?? cutoff)
                : (stay.End ?? DateTimeOffset.MaxValue, stay.End is { } end ? end.AddDays(1) : DateTimeOffset.MinValue);
            foreach (var night in Nights(from, Min(until, cutoff), runTime, zone))
            {
                if (risk.Choose(timeline, night).Target is { } target && target.Stay.EncounterId == stay.EncounterId
                    && seen.Add((target.Stay.EncounterId, target.Instant)))
                {
                    yield return target;
                }
            }
        }
    }

    /// <summary>The run instants in (<paramref name="from"/>, <paramref name="until"/>]: each local day's <paramref name="runTime"/>.</summary>
    public static IEnumerable<DateTimeOffset> Nights(DateTimeOffset from, DateTimeOffset until, TimeOnly runTime, TimeZoneInfo zone)
    {
        if (until <= from)
        {
            yield break;
        }

        for (var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime); ; day = day.AddDays(1))
        {
            var local = day.ToDateTime(runTime);
            var night = new DateTimeOffset(local, zone.GetUtcOffset(local));
            if (night > until)
            {
                yield break;
            }

            if (night > from)
            {
                yield return night;
            }
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
