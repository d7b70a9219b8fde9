using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Outcomes;

/// <summary>
/// The readmission outcome: an unplanned inpatient admission (emergent or urgent; planned/elective ones are not events)
/// starting within a window (30 days for <see cref="Risks.ReadmissionRisk"/>) after an inpatient discharge. Patients who died in hospital have no index discharge.
/// Labels read the whole record; features are cut at the discharge by the feature builder.
/// </summary>
public static class ReadmissionOutcome
{
    /// <summary>
    /// Every index discharge of the patient up to <paramref name="dataCutoff"/>, with its label (null when the
    /// <paramref name="window"/> after it is not all in the data); the event is the readmission's encounter id.
    /// </summary>
    public static IEnumerable<OutcomeExample> Examples(PatientTimeline timeline, DateTimeOffset dataCutoff, TimeSpan window)
    {
        foreach (var (stay, discharge) in IndexStays.Discharges(timeline))
        {
            if (discharge > dataCutoff || IndexStays.DiedIn(timeline, stay))
            {
                continue;
            }

            yield return Label(timeline, stay, discharge, dataCutoff, window);
        }
    }

    /// <summary>The label of the discharge of <paramref name="stay"/> at <paramref name="discharge"/>; the event is the readmission's encounter id.</summary>
    public static OutcomeExample Label(PatientTimeline timeline, EncounterFact stay, DateTimeOffset discharge, DateTimeOffset dataCutoff, TimeSpan window)
    {
        // A window that reaches past the data is censored whatever it holds: counting only the readmissions seen in
        // it would leave those rows positive-only and bias a model trained on them.
        if (discharge + window > dataCutoff)
        {
            return new OutcomeExample(timeline.PatientId, stay, discharge, null, null);
        }

        var readmission = timeline.Encounters.FirstOrDefault(e =>
            EncounterKinds.IsInpatient(e) && e.Start > discharge && e.Start <= discharge + window
            && EncounterKinds.IsEmergentAdmission(e, EncounterKinds.EdVisitLeadingTo(timeline.Encounters, e.Start!.Value)));
        return new OutcomeExample(timeline.PatientId, stay, discharge, readmission is not null, readmission?.EncounterId, readmission?.Start);
    }
}
