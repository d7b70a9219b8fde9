using System.Net;
using System.Text.Json;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Fhir;

[Collection(SyntheaStore.Name)]
public sealed class SyntheaImportTests(SyntheaImportFixture fixture)
{
    /// <summary>Resources of the fixture files, computed independently of the product's code.</summary>
    private static IEnumerable<JsonElement> FileResources() =>
        Fixtures.SyntheaBundles.SelectMany(file =>
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            return document.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").Clone()).ToList();
        });

    private static string Type(JsonElement r) => r.GetProperty("resourceType").GetString()!;

    private static string Id(JsonElement r) => r.GetProperty("id").GetString()!;

    [Fact]
    public void Every_fixture_bundle_imports_with_zero_rejections()
    {
        var statuses = fixture.Responses
            .SelectMany(r => r.RootElement.GetProperty("entry").EnumerateArray())
            .Select(e => e.GetProperty("response").GetProperty("status").GetString())
            .ToList();
        Assert.Equal(FileResources().Count(), statuses.Count);
        Assert.All(statuses, s => Assert.True(s is "201 Created" or "200 OK", s));
    }

    [Fact]
    public async Task Resource_counts_by_type_equal_the_distinct_resources_of_the_files()
    {
        var expected = FileResources().Select(r => (Type: Type(r), Id: Id(r))).Distinct()
            .GroupBy(r => r.Type).ToDictionary(g => g.Key, g => (long)g.Count());
        var actual = await fixture.Api.Database.CountsByTypeAsync();
        Assert.Equal(expected.OrderBy(e => e.Key), actual.OrderBy(a => a.Key));
    }

    [Fact]
    public async Task Inpatient_encounters_are_projected_with_their_periods()
    {
        var inpatient = FileResources().Where(r => Type(r) == "Encounter" && r.GetProperty("class").GetProperty("code").GetString() == "IMP")
            .Select(Id).Distinct().ToList();
        Assert.NotEmpty(inpatient);
        Assert.Equal(inpatient.Count, await fixture.Api.Database.ScalarAsync(
            "SELECT count(*) FROM encounters WHERE class_code = 'IMP' AND period_start IS NOT NULL AND patient_id IS NOT NULL"));
    }

    [Fact]
    public async Task Snomed_conditions_are_projected()
    {
        var codings = FileResources().Where(r => Type(r) == "Condition")
            .DistinctBy(Id)
            .Sum(r => r.GetProperty("code").GetProperty("coding").EnumerateArray().Count(c => c.GetProperty("system").GetString() == "http://snomed.info/sct"));
        Assert.True(codings > 0);
        Assert.Equal(codings, await fixture.Api.Database.ScalarAsync("SELECT count(*) FROM conditions WHERE system = 'http://snomed.info/sct'"));
    }

    [Theory]
    [InlineData("718-7", "g/dL")]
    [InlineData("2947-0", "mmol/L")]
    [InlineData("38483-4", "mg/dL")]
    public async Task Loinc_observations_are_projected_in_their_canonical_unit(string loinc, string unit)
    {
        var values = FileResources().Where(r => Type(r) == "Observation")
            .DistinctBy(Id)
            .Where(r => r.GetProperty("code").GetProperty("coding").EnumerateArray().Any(c => c.GetProperty("code").GetString() == loinc))
            .Select(r => r.GetProperty("valueQuantity").GetProperty("value").GetDouble())
            .ToList();
        Assert.NotEmpty(values);
        Assert.Equal(values.Count, await fixture.Api.Database.ScalarAsync(
            "SELECT count(*) FROM observations WHERE code = @code AND unit = @unit AND seq = 0 AND value IS NOT NULL", ("code", loinc), ("unit", unit)));
        // The fixtures report these in the canonical unit already, so the projected values are the file's values.
        var sumMilli = (long)Math.Round(values.Sum() * 1000);
        Assert.Equal(sumMilli, await fixture.Api.Database.ScalarAsync("SELECT round(sum(value) * 1000) FROM observations WHERE code = @code AND seq = 0", ("code", loinc)));
    }

    private static readonly string[] Tables = ["fhir_resources", "patients", "encounters", "conditions", "observations", "procedures", "medication_requests"];

    private async Task<List<long>> RowCounts()
    {
        var counts = new List<long>();
        foreach (var table in Tables)
        {
            counts.Add(await fixture.Api.Database.ScalarAsync($"SELECT count(*) FROM {table}"));
        }

        return counts;
    }

    private async Task<JsonDocument> Post(string file)
    {
        using var client = fixture.Api.CreateClient();
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        content.Headers.ContentType = new("application/fhir+json");
        using var response = await client.PostAsync("/fhir", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Importing_again_changes_nothing_but_versions_the_shared_resources_that_differ()
    {
        // The last Bundle imported holds the current version of everything in it: importing it again changes nothing.
        var initial = await RowCounts();
        using (var again = await Post(Fixtures.SyntheaBundles[^1]))
        {
            Assert.All(again.RootElement.GetProperty("entry").EnumerateArray(),
                e => Assert.Equal("200 OK", e.GetProperty("response").GetProperty("status").GetString()));
        }

        Assert.Equal(initial, await RowCounts());

        // Synthea repeats each Organization and Practitioner in every patient's Bundle with different utilization
        // counts, so an earlier Bundle's copies differ from the current versions: they become new versions; the
        // patient's own resources are unchanged.
        var before = await RowCounts();
        using var body = await Post(Fixtures.SyntheaBundles[0]);
        var updated = body.RootElement.GetProperty("entry").EnumerateArray()
            .Select(e => e.GetProperty("response").GetProperty("location").GetString()!)
            .Where(l => !l.EndsWith("/_history/1", StringComparison.Ordinal))
            .Select(l => l.Split('/')[0])
            .ToHashSet();
        Assert.Subset(new HashSet<string> { "Organization", "Practitioner" }, updated);
        var after = await RowCounts();
        Assert.Equal(before.Skip(1), after.Skip(1));
    }

    [Fact]
    public async Task A_patient_is_readable_and_searchable_as_a_fhir_server()
    {
        var patient = FileResources().First(r => Type(r) == "Patient");
        var patientId = Id(patient);
        using var client = fixture.Api.CreateClient();

        using var read = await client.GetAsync($"/fhir/Patient/{patientId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("application/fhir+json", read.Content.Headers.ContentType?.MediaType);
        using (var body = JsonDocument.Parse(await read.Content.ReadAsStringAsync()))
        {
            Assert.Equal("Patient", body.RootElement.GetProperty("resourceType").GetString());
            Assert.Equal(patient.GetProperty("birthDate").GetString(), body.RootElement.GetProperty("birthDate").GetString());
            Assert.Equal("1", body.RootElement.GetProperty("meta").GetProperty("versionId").GetString());
        }

        var expected = FileResources().Where(r => Type(r) == "Observation" && r.GetProperty("subject").GetProperty("reference").GetString() is { } s && s.EndsWith(patientId, StringComparison.Ordinal))
            .Select(Id).Distinct().Order(StringComparer.Ordinal).ToList();
        var seen = new List<string>();
        var url = $"/fhir/Observation?patient={patientId}&_count=40";
        while (url is not null)
        {
            using var page = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            using var bundle = JsonDocument.Parse(await page.Content.ReadAsStringAsync());
            Assert.Equal("searchset", bundle.RootElement.GetProperty("type").GetString());
            Assert.Equal(expected.Count, bundle.RootElement.GetProperty("total").GetInt64());
            seen.AddRange(bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()!));
            url = bundle.RootElement.GetProperty("link").EnumerateArray()
                .Where(l => l.GetProperty("relation").GetString() == "next")
                .Select(l => new Uri(l.GetProperty("url").GetString()!).PathAndQuery).FirstOrDefault();
        }

        Assert.Equal(expected, seen.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task A_large_count_is_honoured_up_to_5000_so_a_chart_comes_in_few_pages()
    {
        var observations = FileResources().Where(r => Type(r) == "Observation").Select(Id).Distinct().Count();
        Assert.True(observations > 5000, $"the Synthea store has only {observations} observations");
        using var client = fixture.Api.CreateClient();

        foreach (var count in new[] { 5000, 9000 })
        {
            using var page = JsonDocument.Parse(await client.GetStringAsync($"/fhir/Observation?_count={count}"));
            Assert.Equal(5000, page.RootElement.GetProperty("entry").GetArrayLength());
            Assert.Equal(observations, page.RootElement.GetProperty("total").GetInt64());
            Assert.Contains(page.RootElement.GetProperty("link").EnumerateArray(), l => l.GetProperty("relation").GetString() == "next");
        }
    }
}

/// <summary>How the FHIR API serves what it stores.</summary>
public sealed class ServedJsonTests : IAsyncLifetime
{
    // Its own store: the Synthea store's counts are checked against the files by the tests above.
    private readonly ApiFactory _api = new();

    public Task InitializeAsync() => _api.InitializeAsync();

    Task IAsyncLifetime.DisposeAsync() => ((IAsyncLifetime)_api).DisposeAsync();

    [Fact]
    public async Task A_resource_is_served_with_resourceType_first_its_received_meta_kept_and_the_stores_version_and_time()
    {
        using var client = _api.CreateClient();
        const string bundle = """
            {"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:3f1c7a52-8a8e-4a43-9d1b-2b9c1b6e0a11",
             "resource":{"resourceType":"Patient","id":"served-json","active":true,"name":[{"family":"Ünal","given":["Zoë"]}],
               "meta":{"source":"#ehr","versionId":"99","lastUpdated":"2001-01-01T00:00:00Z","profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]}},
             "request":{"method":"PUT","url":"Patient/served-json"}}]}
            """;
        using var content = new StringContent(bundle, System.Text.Encoding.UTF8, "application/fhir+json");
        using (var posted = await client.PostAsync("/fhir", content))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        var text = await client.GetStringAsync("/fhir/Patient/served-json");
        Assert.StartsWith("""{"resourceType":"Patient",""", text, StringComparison.Ordinal);
        using var read = JsonDocument.Parse(text);
        var meta = read.RootElement.GetProperty("meta");
        Assert.Equal("1", meta.GetProperty("versionId").GetString());
        Assert.NotEqual("2001-01-01T00:00:00Z", meta.GetProperty("lastUpdated").GetString());
        Assert.True(DateTimeOffset.Parse(meta.GetProperty("lastUpdated").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal("#ehr", meta.GetProperty("source").GetString());
        Assert.Equal("http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient", meta.GetProperty("profile")[0].GetString());
        Assert.Equal(["resourceType", "id", "meta", "name", "active"], read.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Zoë", read.RootElement.GetProperty("name")[0].GetProperty("given")[0].GetString());

        // A search serves the very same JSON.
        using var search = JsonDocument.Parse(await client.GetStringAsync("/fhir/Patient?_id=served-json"));
        Assert.Equal(read.RootElement.GetRawText(), search.RootElement.GetProperty("entry")[0].GetProperty("resource").GetRawText());
    }
}
