using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Comorbidity;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Outcomes;

/// <summary>
/// The complication outcome: clinical deterioration — transfer to intensive care, cardiac arrest or death — within the
/// 48 hours after a scoring time of an inpatient stay. Scoring times are the stay's vital-sign sets (each distinct time
/// at which any NEWS2 parameter was charted, whichever were), up to the first deterioration: after it the patient is no
/// longer at risk of a first one, and the model is not served there (<see cref="ComplicationRisk.OutsidePopulation"/>).
/// </summary>
public static class ComplicationOutcome
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(48);

    /// <summary>SNOMED CT 410429000 cardiac arrest; ICD-10 I46 (any cardiac arrest code); ICD-9-CM 427.5 cardiac arrest.</summary>
    private static bool IsCardiacArrest(ConditionFact c) =>
        (c.System == CodeSystems.SnomedCt && c.Code == "410429000")
        || (c.System is CodeSystems.Icd10Cm or CodeSystems.Icd10 && CodeList.NormalizeIcd10(c.Code).StartsWith("I46", StringComparison.Ordinal))
        || (c.System == CodeSystems.Icd9Cm && CodeList.NormalizeIcd10(c.Code) == "4275");

    /// <summary>SNOMED CT 89666000 cardiopulmonary resuscitation.</summary>
    private static bool IsResuscitation(ProcedureFact p) => p.System == CodeSystems.SnomedCt && p.Code == "89666000" && p.Status != "not-done";

    /// <summary>The stay's first deterioration, if any: its kind and time.</summary>
    public static (string Type, DateTimeOffset At)? FirstEvent(PatientTimeline timeline, EncounterFact stay)
    {
        var start = stay.Start!.Value;
        var end = stay.End ?? DateTimeOffset.MaxValue;
        bool During(DateTimeOffset? at) => at >= start && at <= end;

        var events = new List<(string Type, DateTimeOffset At)>();
        events.AddRange(EncounterKinds.IntensiveCareStarts(timeline.Encounters, stay).Where(at => During(at)).Select(at => ("icu-transfer", at)));
        events.AddRange(timeline.Conditions
            .Where(c => IsCardiacArrest(c) && (c.EncounterId == stay.EncounterId || During(c.Onset)) && c.Onset is not null)
            .Select(c => ("cardiac-arrest", c.Onset!.Value)));
        events.AddRange(timeline.Procedures.Where(p => IsResuscitation(p) && During(p.PerformedStart)).Select(p => ("cardiac-arrest", p.PerformedStart!.Value)));
        if (timeline.Patient?.DeceasedAt is { } died && During(died))
        {
            events.Add(("death", died));
        }
        else if (stay.DischargeDisposition == "exp" && stay.End is { } deathAtDischarge)
        {
            events.Add(("death", deathAtDischarge));
        }

        return events.Count == 0 ? null : events.MinBy(e => e.At);
    }

    /// <summary>Every scoring time of the patient's stays up to <paramref name="dataCutoff"/>, labelled; the event is the deterioration's kind.</summary>
    public static IEnumerable<OutcomeExample> Examples(PatientTimeline timeline, DateTimeOffset dataCutoff)
    {
        foreach (var stay in timeline.Encounters.Where(e => EncounterKinds.IsInpatient(e) && e.Start is not null))
        {
            var first = FirstEvent(timeline, stay);
            var until = Min(Min(stay.End ?? dataCutoff, dataCutoff), first?.At ?? DateTimeOffset.MaxValue);
            var scoringTimes = timeline.Observations
                .Where(o => o.System == CodeSystems.Loinc && Loinc.News2Parameters.Contains(o.Code) && o.Effective >= stay.Start && o.Effective < until)
                .Select(o => o.Effective!.Value)
                .Distinct();
            foreach (var at in scoringTimes)
            {
                yield return Label(timeline, stay, at, first, dataCutoff);
            }
        }
    }

    /// <summary>
    /// The label of <paramref name="stay"/> scored at <paramref name="at"/>, given its <paramref name="first"/>
    /// deterioration (<see cref="FirstEvent"/>): whether that came within the 48 hours after; the event is its kind.
    /// </summary>
    public static OutcomeExample Label(PatientTimeline timeline, EncounterFact stay, DateTimeOffset at, (string Type, DateTimeOffset At)? first, DateTimeOffset dataCutoff)
    {
        // As for readmission, a window that reaches past the data is censored whatever it holds.
        if (at + Window > dataCutoff)
        {
            return new OutcomeExample(timeline.PatientId, stay, at, null, null);
        }

        return first is { } e && e.At > at && e.At <= at + Window
            ? new OutcomeExample(timeline.PatientId, stay, at, true, e.Type, e.At)
            : new OutcomeExample(timeline.PatientId, stay, at, false, null);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
