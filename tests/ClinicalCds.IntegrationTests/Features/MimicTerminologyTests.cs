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

/// <summary>The MIMIC-IV demo imported as a hospital would, with the shipped terminology maps configured.</summary>
public sealed class MimicStoreFixture : IAsyncLifetime
{
    public const string MapsFolder = "terminology/mimic-iv-demo";

    public ApiFactory Api { get; } = new(new Dictionary<string, string> { ["Terminology:Folders:0"] = MapsFolder });

    /// <summary>Every resource of the fixture as published, by type.</summary>
    public Dictionary<string, List<JsonElement>> Resources { get; } = new(StringComparer.Ordinal);

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
public sealed class MimicTerminologyTests(MimicStoreFixture mimic, ITestOutputHelper output) : IClassFixture<MimicStoreFixture>
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
    [
        .. mimic.Resources["Encounter"]
            .Where(e => e.GetProperty("identifier")[0].GetProperty("system").GetString()!.EndsWith("/identifier/encounter-hosp", StringComparison.Ordinal)
                && e.GetProperty("period").TryGetProperty("end", out _))
            .Select(e => (e.GetProperty("id").GetString()!, PatientOf(e), At(e.GetProperty("period"), "start"), At(e.GetProperty("period"), "end"))),
    ];

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
