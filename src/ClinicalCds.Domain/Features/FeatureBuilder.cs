using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Comorbidity;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Features;

/// <summary>
/// Builds a patient's features as of an instant around an index stay. Hooks, nightly scoring and training all come
/// here; the builder first cuts the timeline at the instant, so nothing recorded later can reach a feature.
/// Definitions are documented in docs/features.md (and <see cref="FeatureCatalog"/>).
/// </summary>
public static class FeatureBuilder
{
    /// <summary>Labs and vital signs are read from the stay and the 24 h before admission (the emergency work-up).</summary>
    public static readonly TimeSpan PreAdmissionWindow = TimeSpan.FromHours(24);

    /// <summary>Medications ordered within this time count as active (statuses are today's, not the instant's).</summary>
    public static readonly TimeSpan MedicationLookback = TimeSpan.FromDays(365);

    /// <summary>
    /// Vital signs are current when charted within this window before the instant: each NEWS2 parameter's latest value
    /// in it, so a partial recheck (respiratory rate and SpO2 an hour ago) never erases a deranged heart rate or blood
    /// pressure charted shortly before; the "set" scored is the oldest of the values used up to the newest. RCP NEWS2 2017
    /// asks for observations at least every 12 hours, so a value older than a day is overdue, not current: a stay whose
    /// vital signs are all older has none recorded, rather than day-1 triage values read as current.
    /// </summary>
    public static readonly TimeSpan VitalSignsWindow = TimeSpan.FromHours(24);

    /// <summary>ICD-10 J96.x2: respiratory failure with hypercapnia, the patients NEWS2 SpO2 scale 2 is meant for.</summary>
    private static readonly string[] HypercapnicRespiratoryFailure = ["J9602", "J9612", "J9622", "J9692"];

    /// <summary>
    /// Features of the stay <paramref name="indexEncounterId"/> as of <paramref name="asOf"/>; null when that stay had not
    /// started by then (or is unknown).
    /// </summary>
    public static ClinicalFeatures? Build(PatientTimeline timeline, string indexEncounterId, DateTimeOffset asOf)
    {
        var known = timeline.AsOf(asOf);
        var stay = known.Encounter(indexEncounterId);
        if (stay?.Start is not { } admitted)
        {
            return null;
        }

        // The day before admission is this stay's work-up — unless another stay ended in it: what was measured there is
        // that stay's, not this one's (a hemoglobin of the admission before is no discharge value of this one).
        var windowStart = admitted - PreAdmissionWindow;
        var previousEnd = known.Encounters
            .Where(e => EncounterKinds.IsInpatient(e) && e.EncounterId != stay.EncounterId && e.End is { } end && end <= admitted)
            .Max(e => e.End);
        if (previousEnd >= windowStart)
        {
            windowStart = previousEnd.Value.AddTicks(1);
        }

        var stayEnd = stay.End ?? asOf;
        var priorEd = known.Encounters
            .Where(e => EncounterKinds.IsEmergency(e) && e.Start <= admitted)
            .ToList();
        var leadingEd = EncounterKinds.EdVisitLeadingTo(priorEd, admitted);
        var conditions = known.Conditions.Where(c => c.VerificationStatus is not ("refuted" or "entered-in-error")).ToList();
        var vitals = VitalSignsSet(known, windowStart, asOf);
        var stayProcedures = known.Procedures
            .Where(p => p.Status is not ("not-done" or "entered-in-error")
                && (p.EncounterId == stay.EncounterId || (p.PerformedStart >= admitted && p.PerformedStart <= stayEnd)))
            .ToList();

        return new ClinicalFeatures
        {
            PatientId = timeline.PatientId,
            IndexEncounterId = indexEncounterId,
            AsOf = asOf,
            AgeYears = AgeAt(known.Patient?.BirthDate, timeline.Time.DateOf(asOf)),
            Female = known.Patient?.Sex switch { "female" => true, "male" => false, _ => null },
            AdmittedAt = admitted,
            DischargedAt = stay.End,
            // Length of stay as hospitals count it administratively — calendar days between the admission date and the
            // discharge date in the hospital's calendar, so a same-day discharge is 0 and an admission at 23:00 discharged
            // the next morning is 1 (LACE, van Walraven 2010, and HOSPITAL, Donzé 2013, take it from administrative data).
            LengthOfStayDays = timeline.Time.CalendarDays(admitted, stayEnd),
            EmergentAdmission = EncounterKinds.IsEmergentAdmission(stay, leadingEd),
            DischargeFromOncology = IsOncology(stay.ServiceType) || (stay.Locations.Count > 0 && IsOncology(stay.Locations[^1].Display)),
            ProceduresDuringStay = stayProcedures.Select(p => p.ProcedureId).Distinct(StringComparer.Ordinal).Count(),
            CodedProcedureDuringStay = stayProcedures.Any(HospitalProcedures.Counts),
            IntensiveCareDuringStay = EncounterKinds.HadIntensiveCare(known.Encounters, stay),
            DischargeDisposition = stay.DischargeDisposition,
            AdmissionsPrior12Months = known.Encounters.Count(e =>
                EncounterKinds.IsInpatient(e) && e.EncounterId != stay.EncounterId && e.Start >= timeline.Time.MonthsBefore(admitted, 12) && e.Start < admitted),
            EdVisitsPrior6Months = priorEd.Count(e => e != leadingEd && e.Start >= timeline.Time.MonthsBefore(admitted, 6)),
            ConditionsRecorded = conditions.Count,
            CharlsonCategories = Categories(CodeList.Charlson, conditions),
            ElixhauserCategories = Categories(CodeList.Elixhauser, conditions),
            // SpO2 scale 2 only for a diagnosis current at the instant (RCP NEWS2 2017: scale 2 is for patients with
            // hypercapnic respiratory failure and a prescribed target of 88-92 %), not for any J96.x2 ever coded.
            HypercapnicRespiratoryFailure = conditions.Any(c =>
                c.System is CodeSystems.Icd10Cm or CodeSystems.Icd10
                && HypercapnicRespiratoryFailure.Contains(CodeList.NormalizeIcd10(c.Code))
                && c.Abatement is null
                && ChartSummary.CurrentClinicalStatuses.Contains(c.ClinicalStatus)),
            Hemoglobin = Latest(known, Loinc.Hemoglobin, windowStart),
            Sodium = Latest(known, Loinc.Sodium, windowStart),
            Potassium = Latest(known, Loinc.Potassium, windowStart),
            Creatinine = Latest(known, Loinc.Creatinine, windowStart),
            WhiteBloodCells = Latest(known, Loinc.Leukocytes, windowStart),
            Albumin = Latest(known, Loinc.Albumin, windowStart),
            CreatinineCourse = CreatinineCourseOf(known, windowStart),
            RespiratoryRate = Latest(vitals, [Loinc.RespiratoryRate]),
            OxygenSaturation = Latest(vitals, Loinc.OxygenSaturation),
            SystolicBloodPressure = Latest(vitals, [Loinc.SystolicBloodPressure]),
            HeartRate = Latest(vitals, [Loinc.HeartRate]),
            Temperature = Latest(vitals, [Loinc.BodyTemperature]),
            Consciousness = LatestConsciousness(vitals),
            SupplementalOxygen = LatestOxygen(vitals),
            ActiveMedicationCount = known.MedicationRequests
                .Where(m => m.AuthoredOn > asOf - MedicationLookback && m.Status is not ("cancelled" or "entered-in-error" or "draft"))
                .Select(m => m.Code ?? m.Display)
                .Where(code => code is not null)
                .Distinct(StringComparer.Ordinal)
                .Count(),
        };
    }

    /// <summary>Completed years of age on a date (the hospital's date of the instant).</summary>
    public static int? AgeAt(DateOnly? birthDate, DateOnly on)
    {
        if (birthDate is not { } born)
        {
            return null;
        }

        var age = on.Year - born.Year;
        return on < born.AddYears(age) ? age - 1 : age;
    }

    private static bool IsOncology(string? text) => text?.Contains("oncolog", StringComparison.OrdinalIgnoreCase) == true;

    private static HashSet<string> Categories(CodeList list, IEnumerable<ConditionFact> conditions) =>
        conditions.SelectMany(c => list.CategoriesOf(c.System, c.Code)).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<ObservationFact> Usable(PatientTimeline known, IReadOnlyList<string> loincCodes, DateTimeOffset windowStart) =>
        known.Observations.Where(o =>
            o.Effective >= windowStart
            && o.System == CodeSystems.Loinc
            && loincCodes.Contains(o.Code)
            && o.Status is not ("cancelled" or "entered-in-error"));

    private static Measurement? Latest(PatientTimeline known, IReadOnlyList<string> loincCodes, DateTimeOffset windowStart) =>
        Latest(Usable(known, loincCodes, windowStart).ToList(), loincCodes);

    private static Measurement? Latest(IReadOnlyList<ObservationFact> observations, IReadOnlyList<string> loincCodes) =>
        observations.LastOrDefault(o => o.Value is not null && loincCodes.Contains(o.Code)) is { } o
            ? new Measurement(o.Value!.Value, o.Unit ?? string.Empty, o.Effective!.Value)
            : null;

    /// <summary>
    /// The current vital signs: every NEWS2 parameter charted within <see cref="VitalSignsWindow"/> before the instant
    /// (and not before the stay's window), of which each parameter's latest is read. Empty when none is that recent.
    /// </summary>
    private static List<ObservationFact> VitalSignsSet(PatientTimeline known, DateTimeOffset windowStart, DateTimeOffset asOf)
    {
        var from = asOf - VitalSignsWindow > windowStart ? asOf - VitalSignsWindow : windowStart;
        return [.. Usable(known, Loinc.News2Parameters, from).Where(o => o.Value is not null || o.ValueCode is not null)];
    }

    private static CreatinineCourse? CreatinineCourseOf(PatientTimeline known, DateTimeOffset windowStart)
    {
        var values = Usable(known, Loinc.Creatinine, DateTimeOffset.MinValue).Where(o => o.Value is not null).ToList();
        if (values.Count == 0 || values[^1].Effective < windowStart)
        {
            return null;
        }

        var latest = values[^1];
        double? LowestWithin(TimeSpan span) => values
            .Take(values.Count - 1)
            .Where(o => o.Effective >= latest.Effective - span)
            .Select(o => o.Value)
            .Min();
        return new CreatinineCourse(latest.Value!.Value, LowestWithin(TimeSpan.FromHours(48)), LowestWithin(TimeSpan.FromDays(7)));
    }

    private static Consciousness? LatestConsciousness(IReadOnlyList<ObservationFact> set) =>
        set.Where(o => o.Code == Loinc.LevelOfConsciousness)
            .Select(o => Acvpu.Read(o.ValueCode))
            .LastOrDefault(level => level is not null);

    /// <summary>Air (false) or oxygen (true) as charted in the set; null when neither flow nor FiO2 was charted (not "air").</summary>
    private static bool? LatestOxygen(IReadOnlyList<ObservationFact> set)
    {
        var latest = set.LastOrDefault(o => o.Value is not null && o.Code is Loinc.InhaledOxygenFlowRate or Loinc.InhaledOxygenConcentration);
        return latest switch
        {
            null => null,
            { Code: Loinc.InhaledOxygenConcentration } => latest.Value > 21.0,
            _ => latest.Value > 0.0,
        };
    }
}
