using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Outcomes;

/// <summary>
/// An index discharge and what followed it. <see cref="Readmitted"/> is null when the 30 days after the discharge reach
/// past the end of the data (the outcome is not known yet).
/// </summary>
public sealed record ReadmissionExample(string PatientId, EncounterFact Stay, DateTimeOffset Discharge, bool? Readmitted, string? ReadmissionEncounterId);

/// <summary>
/// The readmission outcome: an unplanned inpatient admission (emergent or urgent; planned/elective ones are not events)
/// starting within 30 days after an inpatient discharge. Patients who died in hospital have no index discharge.
/// Labels read the whole record; features are cut at the discharge by the feature builder.
/// </summary>
public static class ReadmissionOutcome
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <summary>
    /// Every index discharge of the patient up to <paramref name="dataCutoff"/>, with its label (null when the 30 days
    /// after it are not all in the data).
    /// </summary>
    public static IEnumerable<ReadmissionExample> Examples(PatientTimeline timeline, DateTimeOffset dataCutoff)
    {
        var stays = timeline.Encounters.Where(EncounterKinds.IsInpatient).ToList();
        foreach (var (stay, discharge) in IndexStays.Discharges(timeline))
        {
            var diedInHospital = stay.DischargeDisposition == "exp" || timeline.Patient?.DeceasedAt <= discharge;
            if (discharge > dataCutoff || diedInHospital)
            {
                continue;
            }

            var readmission = stays.FirstOrDefault(e =>
                e.Start > discharge && e.Start <= discharge + Window
                && EncounterKinds.IsEmergentAdmission(e, EncounterKinds.EdVisitLeadingTo(timeline.Encounters, e.Start!.Value)));
            // A window that reaches past the data is censored whatever it holds: counting only the readmissions seen in
            // it would leave those rows positive-only and bias a model trained on them.
            if (discharge + Window > dataCutoff)
            {
                yield return new ReadmissionExample(timeline.PatientId, stay, discharge, null, null);
                continue;
            }

            yield return new ReadmissionExample(timeline.PatientId, stay, discharge, readmission is not null, readmission?.EncounterId);
        }
    }
}
