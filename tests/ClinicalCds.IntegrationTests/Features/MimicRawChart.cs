using System.Globalization;
using System.Text.Json;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// The MIMIC-IV demo read straight from its published NDJSON, for tests that check the product against it: the inputs of
/// LACE and HOSPITAL as the fixture's own fields say them, written here without the product's code (no mapper, no
/// terminology, no timeline, no feature builder). Times are compared as the local wall-clock times MIMIC writes (New
/// York, with their offsets), so calendar days and months are read off the strings themselves.
/// </summary>
public sealed class MimicRawChart
{
    private const string LabItems = "http://mimic.mit.edu/fhir/mimic/CodeSystem/mimic-d-labitems";

    private const string VitalSignProfile = "http://mimic.mit.edu/fhir/mimic/StructureDefinition/mimic-observation-vital-signs";

    public MimicRawChart(IReadOnlyDictionary<string, List<JsonElement>> resources)
    {
        var encounters = resources["Encounter"];
        Admissions = [.. encounters.Where(e => Identifier(e).EndsWith("/identifier/encounter-hosp", StringComparison.Ordinal)).Select(Admission.Of)];
        EdVisits = encounters.Where(e => Identifier(e).EndsWith("/identifier/encounter-ed", StringComparison.Ordinal))
            .Select(e => new Visit(e.GetProperty("id").GetString()!, PatientOf(e), Clock.Of(e.GetProperty("period"), "start"), Clock.Of(e.GetProperty("period"), "end")))
            .ToLookup(v => v.Patient, StringComparer.Ordinal);
        Deaths = resources["Patient"].Where(p => p.TryGetProperty("deceasedDateTime", out _))
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("deceasedDateTime").GetDateTimeOffset(), StringComparer.Ordinal);
        BilledProcedureAdmissions = resources["Procedure"]
            .Where(p => p.GetProperty("code").GetProperty("coding")[0].GetProperty("system").GetString()!.Contains("/mimic-procedure-icd", StringComparison.Ordinal))
            .Select(p => p.GetProperty("encounter").GetProperty("reference").GetString()!["Encounter/".Length..])
            .ToHashSet(StringComparer.Ordinal);
        Labs = resources["Observation"]
            .Where(o => o.GetProperty("code").GetProperty("coding")[0].GetProperty("system").GetString() == LabItems
                && o.TryGetProperty("valueQuantity", out var q) && q.TryGetProperty("value", out _)
                && o.GetProperty("status").GetString() is not ("cancelled" or "entered-in-error"))
            .Select(o => new Lab(o.GetProperty("id").GetString()!, PatientOf(o), o.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString()!,
                o.GetProperty("effectiveDateTime").GetDateTimeOffset(), o.GetProperty("valueQuantity").GetProperty("value").GetDouble()))
            .ToLookup(l => l.Patient, StringComparer.Ordinal);
        EdPulseOximetry = [.. resources["Observation"]
            .Where(o => o.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString() == "2708-6"
                && o.TryGetProperty("meta", out var meta) && meta.GetProperty("profile").EnumerateArray().Any(p => p.GetString() == VitalSignProfile)
                && o.TryGetProperty("valueQuantity", out var q) && q.TryGetProperty("value", out _))
            .Select(o => new Vital(o.GetProperty("id").GetString()!, PatientOf(o), o.GetProperty("encounter").GetProperty("reference").GetString()!["Encounter/".Length..],
                o.GetProperty("effectiveDateTime").GetDateTimeOffset(), o.GetProperty("valueQuantity").GetProperty("value").GetDouble()))];
        var ends = encounters.Where(e => e.GetProperty("period").TryGetProperty("end", out _))
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("period").GetProperty("end").GetDateTimeOffset(), StringComparer.Ordinal);
        // MIMIC's diagnoses are billing codes without dates: each is known once its encounter has ended.
        Diagnoses = resources["Condition"]
            .Select(c => new Diagnosis(PatientOf(c),
                ends.TryGetValue(c.GetProperty("encounter").GetProperty("reference").GetString()!["Encounter/".Length..], out var ended) ? ended : null,
                c.GetProperty("code").GetProperty("coding")[0].GetProperty("system").GetString()!.EndsWith("icd9", StringComparison.Ordinal),
                c.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString()!.Replace(".", string.Empty, StringComparison.Ordinal).ToUpperInvariant()))
            .ToLookup(d => d.Patient, StringComparer.Ordinal);
    }

    /// <summary>Diagnosis codes (no dots, upper case), by patient.</summary>
    public ILookup<string, Diagnosis> Diagnoses { get; }

    /// <summary>Every hospital admission (MIMIC's hosp admissions: inpatient and observation stays).</summary>
    public IReadOnlyList<Admission> Admissions { get; }

    /// <summary>Emergency department stays (MIMIC-ED), by patient.</summary>
    public ILookup<string, Visit> EdVisits { get; }

    /// <summary>Recorded deaths, by patient.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Deaths { get; }

    /// <summary>Admissions MIMIC billed an ICD procedure for (hosp/procedures_icd, each naming its admission).</summary>
    public IReadOnlySet<string> BilledProcedureAdmissions { get; }

    /// <summary>
    /// The ED's oxygen saturations: LOINC 2708-6 in MIMIC's ED vital-sign profile, the triage nurse's pulse oximetry
    /// (kind-lab/mimic-profiles, ValueSet MimicObservationTypeVital), with a value.
    /// </summary>
    public IReadOnlyList<Vital> EdPulseOximetry { get; }

    /// <summary>Laboratory results with a numeric value, by patient.</summary>
    public ILookup<string, Lab> Labs { get; }

    /// <summary>An admission that is not an observation stay (MIMIC writes those as class OBSENC).</summary>
    public static bool IsInpatient(Admission admission) => admission.Class != "OBSENC";

    /// <summary>
    /// The index discharges of 30-day readmission: inpatient admissions that ended with the patient alive (not
    /// discharged DIED, no death recorded by the discharge).
    /// </summary>
    public IEnumerable<Admission> IndexDischarges() => Admissions.Where(a => IsInpatient(a) && a.End is not null && a.Disposition != "DIED"
        && !(Deaths.TryGetValue(a.Patient, out var died) && died <= a.End.Value.Instant));

    /// <summary>Calendar days between the local admission date and the local discharge date.</summary>
    public static int LengthOfStay(Admission a) => a.End!.Value.Local.Date.Subtract(a.Start.Local.Date).Days;

    /// <summary>
    /// The ED stay that led to the admission: the latest that began by the admission and ended at most 24 h before it.
    /// </summary>
    public Visit? LeadingEdVisit(Admission a) => EdVisits[a.Patient]
        .Where(v => v.Start.Instant <= a.Start.Instant && v.End.Instant >= a.Start.Instant.AddHours(-24))
        .MaxBy(v => v.Start.Instant);

    /// <summary>
    /// Emergent or urgent admission: MIMIC's admission type as the v3 ActPriority (EM, UR unplanned; EL planned); without
    /// one, admitted from the emergency room or straight after an ED stay.
    /// </summary>
    public bool Emergent(Admission a) => a.Priority switch
    {
        "EM" or "UR" or "A" or "S" => true,
        "EL" or "R" or "P" or "PRN" => false,
        _ => a.AdmitSource == "EMERGENCY ROOM" || LeadingEdVisit(a) is not null,
    };

    /// <summary>ED stays begun in the 6 calendar months (local clock) before the admission, not the one that led to it.</summary>
    public int EdVisitsPrior6Months(Admission a)
    {
        var leading = LeadingEdVisit(a);
        var from = a.Start.Local.AddMonths(-6);
        return EdVisits[a.Patient].Count(v => v != leading && v.Start.Local >= from && v.Start.Instant <= a.Start.Instant);
    }

    /// <summary>Other inpatient admissions begun in the 12 calendar months (local clock) before this one.</summary>
    public int AdmissionsPrior12Months(Admission a)
    {
        var from = a.Start.Local.AddMonths(-12);
        return Admissions.Count(b => b.Patient == a.Patient && b.Id != a.Id && IsInpatient(b) && b.Start.Local >= from && b.Start.Instant < a.Start.Instant);
    }

    /// <summary>
    /// The latest result of the items at the discharge: drawn from 24 h before admission (or, when an inpatient admission
    /// ended within those 24 h, after its end) up to the discharge. Results drawn at one instant are listed together.
    /// </summary>
    public IReadOnlyList<Lab> LatestAtDischarge(Admission a, params string[] items)
    {
        var from = a.Start.Instant.AddHours(-24);
        var previousEnd = Admissions.Where(b => b.Patient == a.Patient && b.Id != a.Id && IsInpatient(b) && b.End is { } end && end.Instant <= a.Start.Instant)
            .Select(b => b.End!.Value.Instant).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var drawn = Labs[a.Patient].Where(l => items.Contains(l.Item) && l.At > previousEnd && l.At >= from && l.At <= a.End!.Value.Instant).ToList();
        return drawn.Count == 0 ? [] : [.. drawn.Where(l => l.At == drawn.Max(d => d.At))];
    }

    /// <summary>A Quan list read straight from its data file: category → code prefixes (no dots).</summary>
    public static IReadOnlyDictionary<string, string[]> QuanList(string file) =>
        File.ReadLines(Path.Combine(Repository.Root, "src", "ClinicalCds.Domain", "Comorbidity", "Data", file)).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(f => f[0], f => f[^1].Split(';'), StringComparer.Ordinal);

    /// <summary>Charlson's ICD-10 codes that are not its renal disease: chronic kidney disease stages 1 and 2 (ADR 0005).</summary>
    private static readonly string[] CharlsonRenalExclusions = ["N181", "N182"];

    /// <summary>
    /// The categories of a Quan list (ICD-9-CM and ICD-10 versions) among the diagnoses known at an instant: prefix
    /// matching on the raw codes.
    /// </summary>
    public IReadOnlySet<string> Categories(string patient, DateTimeOffset at, IReadOnlyDictionary<string, string[]> icd9, IReadOnlyDictionary<string, string[]> icd10, bool charlson) =>
        Diagnoses[patient].Where(d => d.KnownAt < at)
            .SelectMany(d => (d.Icd9 ? icd9 : icd10)
                .Where(c => c.Value.Any(p => d.Code.StartsWith(p, StringComparison.Ordinal))
                    && (d.Icd9 || !charlson || c.Key != "rend" || !CharlsonRenalExclusions.Any(x => d.Code.StartsWith(x, StringComparison.Ordinal))))
                .Select(c => c.Key))
            .ToHashSet(StringComparer.Ordinal);

    private static string Identifier(JsonElement encounter) => encounter.GetProperty("identifier")[0].GetProperty("system").GetString()!;

    private static string PatientOf(JsonElement resource) => resource.GetProperty("subject").GetProperty("reference").GetString()!["Patient/".Length..];

    private static string? CodeOf(JsonElement resource, string property) =>
        resource.TryGetProperty(property, out var concept) && concept.TryGetProperty("coding", out var codings) ? codings[0].GetProperty("code").GetString() : null;

    /// <summary>A time as MIMIC writes it: the instant, and the local wall-clock time its string carries.</summary>
    public readonly record struct Clock(DateTimeOffset Instant, DateTime Local)
    {
        public static Clock Of(JsonElement period, string name)
        {
            var text = period.GetProperty(name).GetString()!;
            return new(DateTimeOffset.Parse(text, CultureInfo.InvariantCulture), DateTime.ParseExact(text[..19], "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        }
    }

    public sealed record Admission(string Id, string Patient, string Class, Clock Start, Clock? End, string? Priority, string? AdmitSource, string? Disposition, string? Service)
    {
        public static Admission Of(JsonElement e)
        {
            var period = e.GetProperty("period");
            var hospitalization = e.TryGetProperty("hospitalization", out var h) ? h : default;
            return new(
                e.GetProperty("id").GetString()!,
                PatientOf(e),
                e.GetProperty("class").GetProperty("code").GetString()!,
                Clock.Of(period, "start"),
                period.TryGetProperty("end", out _) ? Clock.Of(period, "end") : null,
                CodeOf(e, "priority"),
                hospitalization.ValueKind == JsonValueKind.Object ? CodeOf(hospitalization, "admitSource") : null,
                hospitalization.ValueKind == JsonValueKind.Object ? CodeOf(hospitalization, "dischargeDisposition") : null,
                CodeOf(e, "serviceType"));
        }
    }

    public sealed record Visit(string Id, string Patient, Clock Start, Clock End);

    public sealed record Diagnosis(string Patient, DateTimeOffset? KnownAt, bool Icd9, string Code);

    public sealed record Lab(string Id, string Patient, string Item, DateTimeOffset At, double Value);

    /// <summary>A vital sign taken during <see cref="Encounter"/> (an ED stay).</summary>
    public sealed record Vital(string Id, string Patient, string Encounter, DateTimeOffset At, double Value);
}
