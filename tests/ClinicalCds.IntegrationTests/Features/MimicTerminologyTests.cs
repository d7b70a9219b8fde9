using System.IO.Compression;
using System.Net;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Fhir.Mapping;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>The MIMIC-IV demo imported as a hospital would, with the shipped terminology maps and the MIMIC-IV encounter profile.</summary>
public sealed class MimicStoreFixture : IAsyncLifetime
{
    public const string MapsFolder = "terminology/mimic-iv-demo";

    /// <summary>The test classes that share one imported MIMIC store (the import takes half a minute).</summary>
    public const string Collection = "MIMIC-IV store";

    public ApiFactory Api { get; } = new(new Dictionary<string, string> { ["Terminology:Folders:0"] = MapsFolder, ["Encounters:Profile"] = "mimic-iv" });

    /// <summary>Every resource of the fixture as published, by type.</summary>
    public Dictionary<string, List<JsonElement>> Resources { get; } = new(StringComparer.Ordinal);

    /// <summary>The fixture's clinical facts read straight from the NDJSON, for independent expectations.</summary>
    public MimicRawChart Raw => _raw ??= new MimicRawChart(Resources);

    private MimicRawChart? _raw;

    /// <summary>The end of the fixture's data: the latest end of an encounter in the raw NDJSON (the CLI's --as-of).</summary>
    public DateTimeOffset DataEnd => Resources["Encounter"].Select(e => e.GetProperty("period")).Where(p => p.TryGetProperty("end", out _))
        .Max(p => p.GetProperty("end").GetDateTimeOffset());

    /// <summary>The environment a CLI run reads this store with: its database, the MIMIC-IV maps and encounter profile, and <paramref name="models"/>.</summary>
    public Dictionary<string, string> CliEnvironment(string models) => new()
    {
        ["ConnectionStrings__ClinicalCds"] = Api.Database.ConnectionString,
        ["Models__Root"] = models,
        ["Terminology__Folders__0"] = MapsFolder,
        ["Encounters__Profile"] = "mimic-iv",
    };

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        using var client = Api.CreateClient();
        foreach (var file in Directory.GetFiles(Fixtures.MimicDirectory, "*.ndjson.gz").Order(StringComparer.Ordinal))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            using (var content = new ByteArrayContent(bytes))
            {
                content.Headers.ContentType = new("application/fhir+ndjson");
                content.Headers.ContentEncoding.Add("gzip");
                using var response = await client.PostAsync("/fhir/$import", content);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            using var reader = new StreamReader(new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress));
            while (await reader.ReadLineAsync() is { } line)
            {
                var resource = JsonDocument.Parse(line).RootElement;
                var type = resource.GetProperty("resourceType").GetString()!;
                (Resources.TryGetValue(type, out var list) ? list : Resources[type] = []).Add(resource);
            }
        }
    }

    public async Task<List<PatientTimeline>> TimelinesAsync()
    {
        var reader = Api.Services.GetRequiredService<IPatientTimelineReader>();
        var timelines = new List<PatientTimeline>();
        await foreach (var timeline in reader.ReadAllAsync(CancellationToken.None))
        {
            timelines.Add(timeline);
        }

        return timelines;
    }

    public Task DisposeAsync() => ((IAsyncLifetime)Api).DisposeAsync();
}

/// <summary>
/// Issue 21 items 1 and 4 on real data: MIMIC's local lab itemids and its own diagnosis code systems reach the features
/// through the shipped ConceptMaps — at ingest and from FHIR resources as a hook receives them, by the one mapping.
/// The expectations are counted here from the raw NDJSON, independently of the product's code.
/// </summary>
[CollectionDefinition(MimicStoreFixture.Collection)]
public sealed class MimicStoreCollection : ICollectionFixture<MimicStoreFixture>;

[Collection(MimicStoreFixture.Collection)]
public sealed class MimicTerminologyTests(MimicStoreFixture mimic, ITestOutputHelper output)
{
    private const string LabItems = "http://mimic.mit.edu/fhir/mimic/CodeSystem/mimic-d-labitems";

    /// <summary>The catalog's labs and the MIMIC itemids that carry them (mimic-code's d_labitems_to_loinc.csv).</summary>
    private static readonly (string Feature, string[] ItemIds, Func<ClinicalFeatures, Measurement?> Value)[] Labs =
    [
        ("hemoglobin", ["51222"], f => f.Hemoglobin),
        ("sodium", ["50983", "50824"], f => f.Sodium),
        ("potassium", ["50971", "50822"], f => f.Potassium),
        ("creatinine", ["50912"], f => f.Creatinine),
        ("white cells", ["51300", "51301", "51755"], f => f.WhiteBloodCells),
    ];

    private static string PatientOf(JsonElement resource) => resource.GetProperty("subject").GetProperty("reference").GetString()!["Patient/".Length..];

    private static DateTimeOffset At(JsonElement element, string name) => element.GetProperty(name).GetDateTimeOffset();

    /// <summary>
    /// Hospital admissions that ended: the Encounters identified as MIMIC hosp admissions (ED visits and ICU stays share
    /// their profile but carry encounter-ed and encounter-icu identifiers).
    /// </summary>
    private List<(string Id, string Patient, DateTimeOffset Start, DateTimeOffset End)> Admissions() =>
        [.. mimic.Raw.Admissions.Where(a => a.End is not null).Select(a => (a.Id, a.Patient, a.Start.Instant, a.End!.Value.Instant))];

    [Fact]
    public async Task Labs_under_MIMIC_itemids_are_present_at_nine_in_ten_discharges_that_had_such_a_draw_in_the_stay()
    {
        var draws = mimic.Resources["Observation"]
            .Where(o => o.TryGetProperty("valueQuantity", out var q) && q.TryGetProperty("value", out _)
                && o.GetProperty("code").GetProperty("coding")[0].GetProperty("system").GetString() == LabItems)
            .Select(o => (Patient: PatientOf(o), Item: o.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString()!, At: At(o, "effectiveDateTime")))
            .ToList();
        var timelines = (await mimic.TimelinesAsync()).ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        var counts = new List<(string Feature, int WithDraw, int Present)>();
        foreach (var (feature, itemIds, value) in Labs)
        {
            int withDraw = 0, present = 0;
            foreach (var (id, patient, start, end) in Admissions())
            {
                // The features read labs from the day before admission to the instant (FeatureBuilder.PreAdmissionWindow).
                if (draws.Any(d => d.Patient == patient && itemIds.Contains(d.Item) && d.At >= start - FeatureBuilder.PreAdmissionWindow && d.At <= end))
                {
                    withDraw++;
                    present += value(FeatureBuilder.Build(timelines[patient], id, end)!) is not null ? 1 : 0;
                }
            }

            counts.Add((feature, withDraw, present));
        }

        var report = string.Join("; ", counts.Select(c => $"{c.Feature} present at {c.Present} of {c.WithDraw}"));
        output.WriteLine(report);
        Assert.All(counts, c => Assert.True(c.WithDraw >= 20 && c.Present >= 0.9 * c.WithDraw, report));
    }

    /// <summary>
    /// Issue 29 item 6: MIMIC-IV's ED oxygen saturations — LOINC 2708-6 in its ED vital-sign profile, the triage nurse's
    /// pulse oximetry (kind-lab/mimic-profiles, ValueSet MimicObservationTypeVital) — read as SpO2 (59408-5) by the shipped
    /// contextual map, so NEWS2 and the deterioration features see them; nothing else becomes SpO2. Counted from the raw NDJSON.
    /// </summary>
    [Fact]
    public async Task ED_oxygen_saturations_coded_2708_6_in_the_vital_sign_profile_read_as_pulse_oximetry_and_nothing_else_does()
    {
        var raw = mimic.Raw.EdPulseOximetry;
        var timelines = (await mimic.TimelinesAsync()).ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        var spo2 = timelines.Values.SelectMany(t => t.Observations).Where(o => o.Code == Loinc.OxygenSaturationPulseOximetry && o.Value is not null).ToList();

        Assert.True(raw.Count >= 100, $"{raw.Count} ED oxygen saturations");
        Assert.Equal(raw.Select(r => r.Id).Order(StringComparer.Ordinal), spo2.Select(o => o.ObservationId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(timelines.Values.SelectMany(t => t.Observations), o => o.Code == "2708-6");

        // Each is the SpO2 the features read at the time it was taken.
        var read = 0;
        foreach (var r in raw)
        {
            var features = FeatureBuilder.Build(timelines[r.Patient], r.Encounter, r.At);
            if (features?.OxygenSaturation is { } measured && measured.At == r.At)
            {
                Assert.Equal(r.Value, measured.Value);
                read++;
            }
        }

        output.WriteLine($"{raw.Count} ED oxygen saturations in the raw data, {spo2.Count} read as SpO2, {read} the features' value at their time");
        Assert.True(read >= 0.9 * raw.Count, $"{read} of {raw.Count}");
    }

    /// <summary>
    /// Issue 29 item 5 on real data: MIMIC's hospital admissions name their wards only by reference ("Location/…", no
    /// display). Every admission whose referenced Location is, by its own name in the raw NDJSON, an intensive or coronary
    /// care unit is an ICU stay in the store's timeline, and no other admission is.
    /// </summary>
    [Fact]
    public async Task Admissions_at_an_icu_named_only_by_a_location_reference_are_icu_stays_as_the_raw_locations_say()
    {
        static bool CriticalCare(string name) =>
            name.Contains("Intensive Care", StringComparison.Ordinal) || name.Contains("ICU)", StringComparison.Ordinal) || name.Contains("Coronary Care", StringComparison.Ordinal);
        var icuLocations = mimic.Resources["Location"].Where(l => CriticalCare(l.GetProperty("name").GetString()!)).Select(l => l.GetProperty("id").GetString()!).ToHashSet();
        var admissions = mimic.Resources["Encounter"]
            .Where(e => Identifier(e).EndsWith("/identifier/encounter-hosp", StringComparison.Ordinal)).ToList();
        var admissionIds = admissions.Select(e => e.GetProperty("id").GetString()!).ToHashSet();
        var expected = admissions
            .Where(e => e.TryGetProperty("location", out _))
            .Where(e => e.GetProperty("location").EnumerateArray().Any(l => icuLocations.Contains(l.GetProperty("location").GetProperty("reference").GetString()!["Location/".Length..])))
            .Select(e => e.GetProperty("id").GetString()!)
            .Order(StringComparer.Ordinal)
            .ToList();
        var timelines = await mimic.TimelinesAsync();
        var read = timelines.SelectMany(t => t.Encounters).Where(e => admissionIds.Contains(e.EncounterId) && e.Locations.Any(l => l.IsIntensiveCare)).Select(e => e.EncounterId).Order(StringComparer.Ordinal).ToList();

        output.WriteLine($"{icuLocations.Count} critical-care locations; {expected.Count} admissions with a stay at one");
        Assert.True(expected.Count >= 20, $"{expected.Count} admissions");
        Assert.Equal(expected, read);
    }

    private static string Identifier(JsonElement encounter) => encounter.GetProperty("identifier")[0].GetProperty("system").GetString()!;

    private static string? Code(JsonElement resource, string path, string property) =>
        resource.TryGetProperty(path, out var outer) && (property.Length == 0 ? outer : outer.TryGetProperty(property, out var inner) ? inner : default) is
            { ValueKind: JsonValueKind.Object } concept && concept.TryGetProperty("coding", out var coding) ? coding[0].GetProperty("code").GetString() : null;

    [Fact]
    public async Task Admissions_ICU_stays_and_30_day_readmissions_read_by_the_MIMIC_profile_agree_with_a_count_from_the_raw_encounters()
    {
        var encounters = mimic.Resources["Encounter"];
        // Independently: admissions are hosp encounters whose admission type is not an observation type (class OBSENC).
        var admissions = encounters
            .Where(e => Identifier(e).EndsWith("/encounter-hosp", StringComparison.Ordinal) && e.GetProperty("class").GetProperty("code").GetString() != "OBSENC")
            .Select(e => (Id: e.GetProperty("id").GetString()!, Patient: PatientOf(e), Start: At(e.GetProperty("period"), "start"),
                End: e.GetProperty("period").TryGetProperty("end", out var end) ? end.GetDateTimeOffset() : (DateTimeOffset?)null,
                Priority: Code(e, "priority", string.Empty), Disposition: Code(e, "hospitalization", "dischargeDisposition")))
            .ToList();
        var icuStays = encounters.Where(e => Identifier(e).EndsWith("/encounter-icu", StringComparison.Ordinal)).Select(e => e.GetProperty("id").GetString()!).ToList();
        var died = mimic.Resources["Patient"].Where(p => p.TryGetProperty("deceasedDateTime", out _))
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("deceasedDateTime").GetDateTimeOffset(), StringComparer.Ordinal);
        var cutoff = encounters.Select(e => e.GetProperty("period")).Where(p => p.TryGetProperty("end", out _)).Max(p => At(p, "end"));
        var timelines = await mimic.TimelinesAsync();
        var stored = timelines.SelectMany(t => t.Encounters).ToDictionary(e => e.EncounterId, StringComparer.Ordinal);

        Assert.All(admissions, a => Assert.True(EncounterKinds.IsInpatient(stored[a.Id]), a.Id));
        Assert.Equal(admissions.Count, stored.Values.Count(EncounterKinds.IsInpatient));
        Assert.All(icuStays, id => Assert.Equal(EncounterKind.IntensiveCare, stored[id].Kind));
        Assert.NotEmpty(icuStays);

        // The deterioration outcome: an ICU stay recorded as its own Encounter (partOf the admission) is the admission's
        // first deterioration at its start — unless the patient died in the stay before it (MIMIC codes no arrest with a time).
        var icuStartsByAdmission = encounters.Where(e => Identifier(e).EndsWith("/encounter-icu", StringComparison.Ordinal))
            .GroupBy(e => e.GetProperty("partOf").GetProperty("reference").GetString()!["Encounter/".Length..], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(e => At(e.GetProperty("period"), "start")), StringComparer.Ordinal);
        var byPatientTimeline = timelines.ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        var checkedStays = 0;
        foreach (var admission in admissions.Where(a => icuStartsByAdmission.ContainsKey(a.Id)))
        {
            // One ICU stay of the demo begins 42 minutes before its admission's recorded start: a direct ICU admission.
            var icuStart = icuStartsByAdmission[admission.Id] < admission.Start ? admission.Start : icuStartsByAdmission[admission.Id];
            var stayEnd = admission.End ?? DateTimeOffset.MaxValue;
            DateTimeOffset? death = died.TryGetValue(admission.Patient, out var deceased) && deceased >= admission.Start && deceased <= stayEnd ? deceased
                : admission.Disposition == "DIED" ? admission.End : null;
            var first = death < icuStart ? ("death", death!.Value) : ("icu-transfer", icuStart);
            Assert.Equal(first, Domain.Outcomes.ComplicationOutcome.FirstEvent(byPatientTimeline[admission.Patient], stored[admission.Id]));
            checkedStays++;
        }

        output.WriteLine($"{checkedStays} admissions with an ICU stay: first deterioration as the raw encounters say");
        Assert.True(checkedStays > 20, $"{checkedStays}");

        // The 30-day readmission labels, counted from the raw encounters: an index discharge alive (not DIED, not deceased
        // by then) with its window in the data, readmitted when an emergent (EM) or urgent (UR) admission starts within 30 days.
        var window = TimeSpan.FromDays(30);
        var expected = admissions
            .Where(a => a.End is { } end && end <= cutoff && a.Disposition != "DIED" && !(died.TryGetValue(a.Patient, out var at) && at <= end))
            .ToDictionary(
                a => a.Id,
                a => a.End!.Value + window > cutoff ? (bool?)null
                    : admissions.Any(b => b.Patient == a.Patient && b.Start > a.End && b.Start <= a.End + window && b.Priority is "EM" or "UR"),
                StringComparer.Ordinal);
        var actual = timelines.SelectMany(t => Domain.Risks.RiskCatalog.Readmission.Examples(t, cutoff))
            .ToDictionary(e => e.Stay.EncounterId, e => e.Label, StringComparer.Ordinal);
        output.WriteLine($"{actual.Count} index discharges, {actual.Values.Count(l => l == true)} readmitted within 30 days, {actual.Values.Count(l => l is null)} not known yet; {icuStays.Count} ICU stays");
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));

        // No risk is computed for a patient who died in the stay: at the end of every admission MIMIC records as DIED
        // (or the patient's recorded death by then), readmission is not scored — the rule population runs and hooks use.
        var deaths = admissions.Where(a => a.End is { } end && (a.Disposition == "DIED" || (died.TryGetValue(a.Patient, out var at) && at <= end))).ToList();
        Assert.NotEmpty(deaths);
        Assert.All(deaths, a => Assert.Equal(
            Domain.Scoring.RiskTargets.Deceased, Domain.Risks.RiskCatalog.Readmission.Choose(byPatientTimeline[a.Patient], a.End!.Value).SkipReason));
        // Nor by an encounter-discharge hook naming that stay (issue 30: the hooks ask the same rule).
        Assert.All(deaths, a => Assert.Equal(
            Domain.Scoring.RiskTargets.Deceased,
            Domain.Risks.RiskCatalog.Readmission.ChooseStay(byPatientTimeline[a.Patient], byPatientTimeline[a.Patient].Encounter(a.Id)!, a.End!.Value.AddHours(1)).SkipReason));
        output.WriteLine($"{deaths.Count} admissions ending in death: none scored for readmission");
        Assert.Contains(actual.Values, l => l == true);

        // HOSPITAL's "discharge from an oncology service": the admissions MIMIC lists under OMED, the oncologic medical service.
        var oncology = encounters.Where(e => Identifier(e).EndsWith("/encounter-hosp", StringComparison.Ordinal) && e.GetProperty("period").TryGetProperty("end", out _)
                && e.TryGetProperty("serviceType", out var service) && service.GetProperty("coding")[0].GetProperty("code").GetString() == "OMED")
            .Select(e => e.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList();
        var byPatient = timelines.ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        Assert.NotEmpty(oncology);
        Assert.Equal(oncology, Admissions().Where(a => FeatureBuilder.Build(byPatient[a.Patient], a.Id, a.End)!.DischargeFromOncology == true)
            .Select(a => a.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task HOSPITAL_counts_a_procedure_at_an_admission_exactly_when_MIMIC_billed_one_for_it()
    {
        // Issue 30 item 3, counted from the raw NDJSON: HOSPITAL's P is a coded procedure (Donzé 2013: the admission's
        // ICD-9-CM procedure codes). MIMIC bills them in hosp/procedures_icd (its mimic-procedure-icd9/-icd10 systems,
        // each referencing its admission); its ED's vital-sign taking and triage (SNOMED CT) and its ICU procedure events
        // (IV gauges, chest X-rays charted by nurses, "Family updated by RN") are Procedures too, but not coded ones.
        var billed = mimic.Raw.BilledProcedureAdmissions;
        var timelines = (await mimic.TimelinesAsync()).ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        var admissions = Admissions();
        var flagged = admissions.Where(a => FeatureBuilder.Build(timelines[a.Patient], a.Id, a.End)!.CodedProcedureDuringStay).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        // What "any Procedure during the stay" (the rule before) flags besides.
        var anyProcedure = admissions.Count(a => FeatureBuilder.Build(timelines[a.Patient], a.Id, a.End)!.ProceduresDuringStay > 0);
        output.WriteLine($"{admissions.Count} admissions: {flagged.Count} with a coded procedure, {anyProcedure} with any Procedure resource during the stay");

        Assert.Equal(admissions.Where(a => billed.Contains(a.Id)).Select(a => a.Id).Order(StringComparer.Ordinal), flagged.Order(StringComparer.Ordinal));
        Assert.True(anyProcedure > flagged.Count, "the ED's and ICU's charted procedures would have counted under the old rule");
    }

    [Fact]
    public async Task Emergent_admission_at_every_admission_equals_a_reading_of_the_raw_priority_and_ED_stays()
    {
        // Issue 30 item 6, from the raw NDJSON: MIMIC writes the admission type as the encounter's v3 ActPriority (EM, UR
        // unplanned; EL planned); without one, an admission from the emergency room or straight after an ED stay of the
        // patient (begun by the admission, ended at most 24 h before it) is emergent.
        var raw = mimic.Raw.Admissions.Where(a => a.End is not null).ToDictionary(a => a.Id, mimic.Raw.Emergent, StringComparer.Ordinal);
        var timelines = (await mimic.TimelinesAsync()).ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        var counted = Admissions().ToDictionary(a => a.Id, a => FeatureBuilder.Build(timelines[a.Patient], a.Id, a.End)!.EmergentAdmission, StringComparer.Ordinal);
        output.WriteLine($"{counted.Count} admissions, {counted.Values.Count(v => v)} emergent");

        Assert.Contains(raw.Values, v => v);
        Assert.Contains(raw.Values, v => !v);
        Assert.Equal(raw.OrderBy(p => p.Key, StringComparer.Ordinal), counted.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Length_of_stay_at_every_admission_counts_the_hospitals_own_calendar_days()
    {
        // Issue 30 item 2, from the raw NDJSON: MIMIC's times are New York local times, written with their offsets; a
        // stay's length is the difference of the local dates its period's strings carry. The mimic-iv profile sets
        // America/New_York, so the store's timelines count those days.
        var raw = mimic.Raw.Admissions.Where(a => a.End is not null).ToDictionary(a => a.Id, MimicRawChart.LengthOfStay, StringComparer.Ordinal);
        var timelines = (await mimic.TimelinesAsync()).ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        var admissions = Admissions();
        var counted = admissions.ToDictionary(a => a.Id, a => FeatureBuilder.Build(timelines[a.Patient], a.Id, a.End)!.LengthOfStayDays, StringComparer.Ordinal);
        var utcDays = admissions.Count(a => DateOnly.FromDateTime(a.End.UtcDateTime).DayNumber - DateOnly.FromDateTime(a.Start.UtcDateTime).DayNumber != raw[a.Id]);
        output.WriteLine($"{admissions.Count} admissions; counted by UTC dates, {utcDays} would be a day off");

        Assert.Equal(raw.OrderBy(p => p.Key, StringComparer.Ordinal), counted.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.True(utcDays > 0, "some stays cross midnight differently in UTC");
    }

    [Fact]
    public async Task Charlson_and_Elixhauser_categories_at_every_discharge_equal_a_count_from_the_raw_ICD_codes()
    {
        // Independently of the code list loader: prefix matching on the raw codes, ICD-9-CM and ICD-10-CM lists as shipped
        // (and the Charlson ICD-10 exclusions, CKD stages 1-2). MIMIC's diagnoses are billing codes without dates: one is
        // known just after its encounter ended, so a discharge sees those of the encounters that ended before it.
        var lists = new[]
        {
            (Name: "Charlson", Icd10: MimicRawChart.QuanList("charlson_icd10_quan.csv"), Icd9: MimicRawChart.QuanList("charlson_icd9cm_quan.csv"),
                Select: (Func<ClinicalFeatures, IReadOnlySet<string>>)(f => f.CharlsonCategories)),
            (Name: "Elixhauser", Icd10: MimicRawChart.QuanList("elixhauser_icd10_quan.csv"), Icd9: MimicRawChart.QuanList("elixhauser_icd9cm_quan.csv"),
                Select: f => f.ElixhauserCategories),
        };
        var timelines = (await mimic.TimelinesAsync()).ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        var compared = 0;
        var withCategories = 0;
        foreach (var (id, patient, _, end) in Admissions())
        {
            var features = FeatureBuilder.Build(timelines[patient], id, end)!;
            foreach (var list in lists)
            {
                var expected = mimic.Raw.Categories(patient, end, list.Icd9, list.Icd10, charlson: list.Name == "Charlson");
                Assert.True(expected.SetEquals(list.Select(features)),
                    $"{list.Name} at the discharge of {id}: expected {string.Join(",", expected.Order())}, features {string.Join(",", list.Select(features).Order())}");
                withCategories += expected.Count > 0 ? 1 : 0;
            }

            compared++;
        }

        output.WriteLine($"{compared} discharges compared; {withCategories} (discharge, index) pairs with at least one category");
        Assert.True(withCategories > 20, $"only {withCategories} discharges with any category: the comparison says little");
    }

    [Fact]
    public async Task The_coverage_report_counts_the_readmission_targets_the_labs_present_the_codes_left_unmapped_and_the_encounters_by_kind()
    {
        var cutoff = mimic.Resources["Encounter"].Select(e => e.GetProperty("period")).Where(p => p.TryGetProperty("end", out _)).Max(p => At(p, "end"));
        await using var scope = mimic.Api.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<Mediator.IMediator>()
            .Send(new Application.Features.GetCoverage.GetCoverageQuery(Domain.Risks.RiskCatalog.Readmission, cutoff));
        output.WriteLine(string.Join("; ", report.Features.Select(f => $"{f.Feature} {f.Share:P0}")));

        Assert.Equal((60L, 99L), (report.Patients, report.Targets));
        Assert.All(["HemoglobinGdl", "SodiumMmolL", "CreatinineMgDl"], name => Assert.True(report.Features.Single(f => f.Feature == name).Share >= 0.9, name));
        // Counted from the raw NDJSON: hematocrit (51221) is not a code the catalog reads, so it is the kind of code the report lists.
        var hematocrit = mimic.Resources["Observation"].Count(o => o.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString() == "51221");
        Assert.Contains(report.Unmapped, u => u is { ResourceType: "Observation", Code: "51221", Display: "Hematocrit" } && u.Count == hematocrit);
        Assert.DoesNotContain(report.Unmapped, u => u.Code == "51222");
        Assert.DoesNotContain(report.Unmapped, u => u.ResourceType == "Condition" && u.System.Contains("mimic-diagnosis", StringComparison.Ordinal));
        Assert.Equal(
            (107L, 85L, 111L, 41L),
            (report.EncountersByKind["Inpatient"], report.EncountersByKind["IntensiveCare"], report.EncountersByKind["Emergency"], report.EncountersByKind["Observation"]));
        // The same report on the admin page: a bar per feature, the unmapped codes to map next.
        using var client = mimic.Api.CreateClient();
        var page = await client.GetStringAsync($"/admin/data?model=readmission&asOf={Uri.EscapeDataString(cutoff.ToString("O"))}");
        Assert.Contains("aria-label=\"Feature coverage\"", page, StringComparison.Ordinal);
        Assert.Contains("HemoglobinGdl", page, StringComparison.Ordinal);
        Assert.Contains("<td>51221</td>", page, StringComparison.Ordinal);

        // Discovery asks an EHR for the MIMIC itemids too, beside the LOINC codes they map to.
        var discovery = await client.GetStringAsync("/cds-services");
        Assert.Contains("http://mimic.mit.edu/fhir/mimic/CodeSystem/mimic-d-labitems|51222", discovery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnoses_under_MIMIC_code_systems_are_ICD_9_CM_and_ICD_10_CM_and_count_for_the_comorbidity_indexes()
    {
        var raw = mimic.Resources["Condition"].Select(c => c.GetProperty("code").GetProperty("coding")[0]).ToList();
        var icd10 = raw.Count(c => c.GetProperty("system").GetString()!.EndsWith("/mimic-diagnosis-icd10", StringComparison.Ordinal));
        var icd9 = raw.Count(c => c.GetProperty("system").GetString()!.EndsWith("/mimic-diagnosis-icd9", StringComparison.Ordinal));
        var conditions = (await mimic.TimelinesAsync()).SelectMany(t => t.Conditions).ToList();
        Assert.Equal(icd10, conditions.Count(c => c.System == CodeSystems.Icd10Cm));
        Assert.Equal(icd9, conditions.Count(c => c.System == CodeSystems.Icd9Cm));
        Assert.DoesNotContain(conditions, c => c.System.StartsWith("http://mimic.mit.edu/", StringComparison.Ordinal) && c.System.Contains("diagnosis", StringComparison.Ordinal));

        // An ICD-10-CM asthma code as MIMIC writes it (J45909, no dot) now falls in the Charlson chronic pulmonary category.
        var asthma = conditions.First(c => c.System == CodeSystems.Icd10Cm && c.Code.StartsWith("J45", StringComparison.Ordinal));
        Assert.Contains(Domain.Comorbidity.CodeList.Charlson.CategoriesOf(asthma.System, asthma.Code), c => c.Key == "cpd");
    }

    [Fact]
    public async Task A_hook_reading_the_same_resources_maps_them_as_the_store_did_and_without_the_maps_the_labs_are_not_recorded()
    {
        var terminology = mimic.Api.Services.GetRequiredService<Terminology>();
        var drawn = mimic.Resources["Observation"]
            .Where(o => o.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString() == "51222")
            .Select(PatientOf)
            .ToHashSet(StringComparer.Ordinal);
        var (id, patient, _, end) = Admissions().First(a => drawn.Contains(a.Patient));
        var resources = mimic.Resources.Values.SelectMany(r => r)
            .Where(r => r.GetProperty("resourceType").GetString() == "Patient" ? r.GetProperty("id").GetString() == patient
                : r.TryGetProperty("subject", out var s) && s.TryGetProperty("reference", out var reference) && reference.GetString() == $"Patient/{patient}")
            .ToList();
        var stored = FeatureBuilder.Build((await mimic.TimelinesAsync()).Single(t => t.PatientId == patient), id, end)!;
        var hooked = FeatureBuilder.Build(FhirTimeline.Build(patient, resources, terminology: terminology), id, end)!;
        var unmapped = FeatureBuilder.Build(FhirTimeline.Build(patient, resources), id, end)!;

        Assert.NotNull(stored.Hemoglobin);
        Assert.Equal(
            (stored.Hemoglobin, stored.Sodium, stored.Creatinine, stored.WhiteBloodCells, stored.CharlsonCategories.Count, stored.ElixhauserCategories.Count),
            (hooked.Hemoglobin, hooked.Sodium, hooked.Creatinine, hooked.WhiteBloodCells, hooked.CharlsonCategories.Count, hooked.ElixhauserCategories.Count));
        Assert.Null(unmapped.Hemoglobin);
    }
}
