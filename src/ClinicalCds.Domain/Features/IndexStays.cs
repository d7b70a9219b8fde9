using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Features;

/// <summary>Which stay a risk is computed for.</summary>
public static class IndexStays
{
    /// <summary>The patient's latest inpatient stay that had started by <paramref name="asOf"/> (open or discharged).</summary>
    public static Clinical.EncounterFact? LatestStay(PatientTimeline timeline, DateTimeOffset asOf) =>
        timeline.Encounters.LastOrDefault(e => EncounterKinds.IsInpatient(e) && e.Start <= asOf);

    /// <summary>
    /// The instant features of <paramref name="stay"/> are computed at: its discharge once it has ended by
    /// <paramref name="asOf"/> (readmission risk is judged at discharge), else <paramref name="asOf"/> itself (a stay in
    /// progress, where complication risk is judged now).
    /// </summary>
    public static DateTimeOffset InstantFor(Clinical.EncounterFact stay, DateTimeOffset asOf) =>
        stay.End is { } end && end <= asOf ? end : asOf;

    /// <summary>Whether the patient died in <paramref name="stay"/>: discharged as expired, or recorded dead by its end.</summary>
    public static bool DiedIn(PatientTimeline timeline, Clinical.EncounterFact stay) =>
        stay.DischargeDisposition == "exp" || (stay.End is { } end && timeline.Patient?.DeceasedAt <= end);

    /// <summary>Every completed inpatient stay, each with its discharge instant: the index discharges of training.</summary>
    public static IEnumerable<(Clinical.EncounterFact Stay, DateTimeOffset Discharge)> Discharges(PatientTimeline timeline) =>
        timeline.Encounters
            .Where(e => EncounterKinds.IsInpatient(e) && e.Start is not null && e.End is not null && e.End >= e.Start)
            .Select(e => (e, e.End!.Value));
}
