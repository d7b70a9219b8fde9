using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Timeline;

/// <summary>
/// One patient's clinical facts in time order. Whatever the source (a CDS Hooks prefetch, a fhirServer, the store's
/// projections), facts enter through <see cref="Create"/>, so every caller sees them in the same order and the
/// feature builder gives the same answer for the same patient.
/// </summary>
public sealed class PatientTimeline
{
    private PatientTimeline(
        string patientId,
        PatientFact? patient,
        IReadOnlyList<EncounterFact> encounters,
        IReadOnlyList<ConditionFact> conditions,
        IReadOnlyList<ObservationFact> observations,
        IReadOnlyList<ProcedureFact> procedures,
        IReadOnlyList<MedicationRequestFact> medicationRequests)
    {
        PatientId = patientId;
        Patient = patient;
        Encounters = encounters;
        Conditions = conditions;
        Observations = observations;
        Procedures = procedures;
        MedicationRequests = medicationRequests;
    }

    public string PatientId { get; }
    public PatientFact? Patient { get; }

    /// <summary>The hospital's calendar, for day-based inputs (<see cref="HospitalTime"/>); UTC unless configured.</summary>
    public HospitalTime Time { get; private init; } = HospitalTime.Utc;

    /// <summary>Encounters by start time.</summary>
    public IReadOnlyList<EncounterFact> Encounters { get; }

    /// <summary>Condition codings by the time they became known (recorded, else onset).</summary>
    public IReadOnlyList<ConditionFact> Conditions { get; }

    /// <summary>Measured values by effective time.</summary>
    public IReadOnlyList<ObservationFact> Observations { get; }

    /// <summary>Procedures by start time.</summary>
    public IReadOnlyList<ProcedureFact> Procedures { get; }

    /// <summary>Medication requests by authoring time.</summary>
    public IReadOnlyList<MedicationRequestFact> MedicationRequests { get; }

    /// <summary>
    /// When a condition became known to the record: its recorded date, else its onset, else just after its encounter ended
    /// (an undated code is not known before its stay is over); never, without any of them.
    /// </summary>
    public static DateTimeOffset? KnownAt(ConditionFact condition) => condition.Recorded ?? condition.Onset ?? condition.KnownAfterEncounterEnd;

    /// <summary>
    /// The timeline of <paramref name="patientId"/> from any mix of facts. Facts of other patients are ignored,
    /// so a prefetch that carries a stray resource cannot leak into this patient's features. Ties in time are
    /// broken by id and sequence, so the order never depends on the order the source delivered the facts in.
    /// </summary>
    public static PatientTimeline Create(
        string patientId,
        PatientFact? patient,
        IEnumerable<EncounterFact> encounters,
        IEnumerable<ConditionFact> conditions,
        IEnumerable<ObservationFact> observations,
        IEnumerable<ProcedureFact> procedures,
        IEnumerable<MedicationRequestFact> medicationRequests,
        IEnumerable<LocationFact>? locations = null,
        HospitalTime? time = null)
    {
        var intensiveCare = (locations ?? []).Where(l => l.IsIntensiveCare).Select(l => l.LocationId).ToHashSet(StringComparer.Ordinal);
        var ownEncounters = Sorted(encounters.Where(e => e.PatientId == patientId).Select(e => WithLocations(e, intensiveCare)), EncounterOrder);
        var ends = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var encounter in ownEncounters.Where(e => e.End is not null))
        {
            ends[encounter.EncounterId] = encounter.End!.Value;
        }

        return new(
            patientId,
            patient is not null && patient.PatientId == patientId ? patient : null,
            ownEncounters,
            Sorted(conditions.Where(c => c.PatientId == patientId).Select(c => DatedByEncounter(c, ends)), ConditionOrder),
            Sorted(observations.Where(o => o.PatientId == patientId), ObservationOrder),
            Sorted(procedures.Where(p => p.PatientId == patientId), ProcedureOrder),
            Sorted(medicationRequests.Where(m => m.PatientId == patientId), MedicationRequestOrder))
        {
            Time = time ?? HospitalTime.Utc,
        };
    }

    /// <summary>
    /// An encounter whose location is named only by reference ("Location/123") is at an ICU when that Location says so
    /// (<see cref="LocationFact"/>): the stay's facts do not depend on whether the reference carried a display.
    /// </summary>
    private static EncounterFact WithLocations(EncounterFact encounter, HashSet<string> intensiveCare) =>
        intensiveCare.Count == 0 || !encounter.Locations.Any(l => !l.IsIntensiveCare && l.LocationId is { } id && intensiveCare.Contains(id))
            ? encounter
            : encounter with
            {
                Locations = [.. encounter.Locations.Select(l => l.LocationId is { } id && intensiveCare.Contains(id) ? l with { IsIntensiveCare = true } : l)],
            };

    /// <summary>An undated condition of an ended encounter becomes known one tick after that end (strictly after the discharge).</summary>
    private static ConditionFact DatedByEncounter(ConditionFact condition, Dictionary<string, DateTimeOffset> ends) =>
        condition.Recorded is null && condition.Onset is null && condition.EncounterId is { } encounter && ends.TryGetValue(encounter, out var end)
            ? condition with { KnownAfterEncounterEnd = end.AddTicks(1) }
            : condition;

    private static List<T> Sorted<T>(IEnumerable<T> facts, Comparison<T> order)
    {
        var list = facts.ToList();
        list.Sort(order);
        return list;
    }

    // Undated facts sort last; ties in time are broken by id (ordinal) and sequence.
    private static int ByTime(DateTimeOffset? a, DateTimeOffset? b) => (a ?? DateTimeOffset.MaxValue).CompareTo(b ?? DateTimeOffset.MaxValue);

    private static readonly Comparison<EncounterFact> EncounterOrder = (a, b) =>
        ByTime(a.Start, b.Start) is var t && t != 0 ? t : string.CompareOrdinal(a.EncounterId, b.EncounterId);

    private static readonly Comparison<ConditionFact> ConditionOrder = (a, b) =>
        ByTime(KnownAt(a), KnownAt(b)) is var t && t != 0 ? t
        : string.CompareOrdinal(a.ConditionId, b.ConditionId) is var i && i != 0 ? i : a.Seq.CompareTo(b.Seq);

    private static readonly Comparison<ObservationFact> ObservationOrder = (a, b) =>
        ByTime(a.Effective, b.Effective) is var t && t != 0 ? t
        : string.CompareOrdinal(a.ObservationId, b.ObservationId) is var i && i != 0 ? i : a.Seq.CompareTo(b.Seq);

    private static readonly Comparison<ProcedureFact> ProcedureOrder = (a, b) =>
        ByTime(a.PerformedStart, b.PerformedStart) is var t && t != 0 ? t : string.CompareOrdinal(a.ProcedureId, b.ProcedureId);

    private static readonly Comparison<MedicationRequestFact> MedicationRequestOrder = (a, b) =>
        ByTime(a.AuthoredOn, b.AuthoredOn) is var t && t != 0 ? t : string.CompareOrdinal(a.MedicationRequestId, b.MedicationRequestId);

    /// <summary>The timeline of the facts of one resource each, as the FHIR mapper produces them.</summary>
    public static PatientTimeline Create(string patientId, IEnumerable<ProjectedFacts> facts, HospitalTime? time = null)
    {
        var all = facts as IReadOnlyCollection<ProjectedFacts> ?? facts.ToList();
        return Create(
            patientId,
            all.Select(f => f.Patient).LastOrDefault(p => p?.PatientId == patientId),
            all.Select(f => f.Encounter).OfType<EncounterFact>(),
            all.SelectMany(f => f.Conditions ?? []),
            all.SelectMany(f => f.Observations ?? []),
            all.Select(f => f.Procedure).OfType<ProcedureFact>(),
            all.Select(f => f.MedicationRequest).OfType<MedicationRequestFact>(),
            all.Select(f => f.Location).OfType<LocationFact>(),
            time);
    }

    /// <summary>
    /// The record as it stood at <paramref name="instant"/>: facts without a time, or timed after it, are gone; an
    /// encounter still open at the instant has no end and no discharge disposition yet; a condition that abated
    /// later is still active (no abatement, clinical status active); a death after the instant has not happened. Features read only this view.
    /// </summary>
    public PatientTimeline AsOf(DateTimeOffset instant)
    {
        static bool Known(DateTimeOffset? at, DateTimeOffset instant) => at is { } t && t <= instant;

        var patient = Patient is { DeceasedAt: { } died } p && died > instant ? p with { Deceased = false, DeceasedAt = null } : Patient;
        var encounters = Encounters
            .Where(e => Known(e.Start, instant))
            .Select(e => Known(e.End, instant) ? e : e with
            {
                End = null,
                DischargeDisposition = null,
                Locations = e.Locations
                    .Where(l => l.Start is null || l.Start <= instant)
                    .Select(l => l.End > instant ? l with { End = null } : l)
                    .ToList(),
            })
            .ToList();
        var conditions = Conditions
            .Where(c => Known(KnownAt(c), instant))
            .Select(c => c.Abatement > instant ? c with { Abatement = null, ClinicalStatus = "active" } : c)
            .ToList();
        return new PatientTimeline(
            PatientId,
            patient,
            encounters,
            conditions,
            Observations.Where(o => Known(o.Effective, instant)).ToList(),
            Procedures.Where(p => Known(p.PerformedStart, instant)).ToList(),
            MedicationRequests.Where(m => Known(m.AuthoredOn, instant)).ToList())
        {
            Time = Time,
        };
    }

    public EncounterFact? Encounter(string encounterId) => Encounters.FirstOrDefault(e => e.EncounterId == encounterId);
}
