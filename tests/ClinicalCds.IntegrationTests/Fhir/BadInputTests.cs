using System.Net;
using System.Text;
using System.Text.Json;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Fhir;

public sealed class BadInputTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static string Patient(string id, string birthDate = "1950-04-01") =>
        $$$"""{"resourceType":"Patient","id":"{{{id}}}","gender":"female","birthDate":"{{{birthDate}}}"}""";

    private static string Observation(string id, string patientRef) =>
        $$$"""{"resourceType":"Observation","id":"{{{id}}}","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}]},"subject":{"reference":"{{{patientRef}}}"},"effectiveDateTime":"2024-01-02T03:04:05Z","valueQuantity":{"value":132.6,"unit":"umol/L","system":"http://unitsofmeasure.org","code":"umol/L"}}""";

    private async Task<(HttpStatusCode Status, JsonDocument Body)> Send(HttpMethod method, string url, string? body = null, string contentType = "application/fhir+json")
    {
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    private static IEnumerable<string> Diagnostics(JsonElement outcome) =>
        outcome.GetProperty("issue").EnumerateArray().Select(i => i.GetProperty("diagnostics").GetString()!);

    [Fact]
    public async Task Truncated_bundle_json_is_a_400_operation_outcome()
    {
        var (status, body) = await Send(HttpMethod.Post, "/fhir", """{"resourceType":"Bundle","type":"transaction","entry":[{"resource":""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("OperationOutcome", body.RootElement.GetProperty("resourceType").GetString());
        Assert.Contains(Diagnostics(body.RootElement), d => d.StartsWith("Invalid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ndjson_import_rejects_each_bad_line_with_its_number_and_keeps_every_valid_line()
    {
        var lines = new[]
        {
            Patient("nd-ok-1"),
            """{"resourceType":"Patient","id":"nd-trunc","birthDate":"19""",                      // 2: truncated JSON
            """{"resourceType":"Patinet","id":"nd-wrong-type"}""",                                   // 3: wrong resourceType
            Patient("nd-bad-date", "1950-13-45"),                                                     // 4: invalid date
            """{"resourceType":"Bundle","id":"nd-bundle","type":"collection"}""",                   // 5: a type the store does not keep
            $$$"""{"resourceType":"Patient","id":"nd-long","text":{"status":"generated","div":"{{{new string('x', 9 * 1024 * 1024)}}}"}}""", // 6: over-long
            Observation("nd-ok-2", "Patient/nd-ok-1"),
        };
        var (status, body) = await Send(HttpMethod.Post, "/fhir/$import", string.Join("\n", lines), "application/fhir+ndjson");

        Assert.Equal(HttpStatusCode.OK, status);
        var parameters = body.RootElement.GetProperty("parameter").EnumerateArray().ToList();
        long Count(string name) => parameters.Single(p => p.GetProperty("name").GetString() == name).GetProperty("valueInteger").GetInt64();
        Assert.Equal(2, Count("created"));
        Assert.Equal(5, Count("rejected"));
        var outcome = parameters.Single(p => p.GetProperty("name").GetString() == "outcome").GetProperty("resource");
        var locations = outcome.GetProperty("issue").EnumerateArray().Select(i => i.GetProperty("location")[0].GetString()).ToList();
        Assert.Equal(["line 2", "line 3", "line 4", "line 5", "line 6"], locations);
        var messages = Diagnostics(outcome).ToList();
        Assert.Contains("Patinet", messages[1], StringComparison.Ordinal);
        Assert.Contains("birthDate", messages[2], StringComparison.Ordinal);
        Assert.Contains("longer than the limit", messages[4], StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/fhir/Patient/nd-ok-1")).Status);
        var (_, observation) = await Send(HttpMethod.Get, "/fhir/Observation/nd-ok-2");
        Assert.Equal(132.6, observation.RootElement.GetProperty("valueQuantity").GetProperty("value").GetDouble());
        // 132.6 µmol/L creatinine is 1.50 mg/dL (÷ 88.42), kept beside the original in the projection.
        Assert.Equal(150, await api.Database.ScalarAsync("SELECT round(value * 100) FROM observations WHERE observation_id = 'nd-ok-2'"));
        Assert.Equal(0, await api.Database.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id LIKE 'nd-%' AND id NOT LIKE 'nd-ok-%'"));
    }

    [Fact]
    public async Task Ndjson_with_only_bad_lines_is_a_400()
    {
        var (status, _) = await Send(HttpMethod.Post, "/fhir/$import", "not json\n{}\n", "application/fhir+ndjson");
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task A_transaction_with_a_dangling_reference_is_rejected_whole_and_stores_nothing()
    {
        var bundle = $$$"""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:6a3f2c1e-0000-4000-8000-000000000001","resource":{{{Patient("tx-patient")}}},"request":{"method":"POST","url":"Patient"}},
              {"fullUrl":"urn:uuid:6a3f2c1e-0000-4000-8000-000000000002","resource":{{{Observation("tx-obs", "urn:uuid:6a3f2c1e-0000-4000-8000-0000000000ff")}}},"request":{"method":"POST","url":"Observation"}}
            ]}
            """;
        var (status, body) = await Send(HttpMethod.Post, "/fhir", bundle);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(Diagnostics(body.RootElement), d => d.Contains("entry[1]", StringComparison.Ordinal) && d.Contains("does not resolve", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/fhir/Patient/tx-patient")).Status);
    }

    [Fact]
    public async Task A_batch_keeps_its_valid_entries_and_reports_each_invalid_one()
    {
        var bundle = $$$"""
            {"resourceType":"Bundle","type":"batch","entry":[
              {"fullUrl":"urn:uuid:7b3f2c1e-0000-4000-8000-000000000001","resource":{{{Patient("batch-patient")}}},"request":{"method":"POST","url":"Patient"}},
              {"resource":{{{Observation("batch-dangling", "urn:uuid:7b3f2c1e-0000-4000-8000-0000000000ff")}}},"request":{"method":"POST","url":"Observation"}},
              {"resource":{"resourceType":"Observation","id":"batch-bad-date","status":"final","code":{"text":"x"},"effectiveDateTime":"2024-02-30"},"request":{"method":"POST","url":"Observation"}},
              {"resource":{"resourceType":"Frobnicator","id":"batch-unknown"},"request":{"method":"POST","url":"Frobnicator"}},
              {"resource":{{{Observation("batch-obs", "urn:uuid:7b3f2c1e-0000-4000-8000-000000000001")}}},"request":{"method":"POST","url":"Observation"}}
            ]}
            """;
        var (status, body) = await Send(HttpMethod.Post, "/fhir", bundle);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("batch-response", body.RootElement.GetProperty("type").GetString());
        var statuses = body.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()).ToList();
        Assert.Equal(["201 Created", "400 Bad Request", "400 Bad Request", "400 Bad Request", "201 Created"], statuses);

        // The urn:uuid reference was rewritten to the Patient's logical id.
        var (_, observation) = await Send(HttpMethod.Get, "/fhir/Observation/batch-obs");
        Assert.Equal("Patient/batch-patient", observation.RootElement.GetProperty("subject").GetProperty("reference").GetString());
        Assert.Equal(1, await api.Database.ScalarAsync("SELECT count(*) FROM observations WHERE observation_id = 'batch-obs' AND patient_id = 'batch-patient'"));
    }

    [Fact]
    public async Task A_changed_resource_becomes_a_new_version_and_the_old_one_stays_readable()
    {
        var first = await Send(HttpMethod.Post, "/fhir/$import", Patient("versioned", "1940-01-01"), "application/fhir+ndjson");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        await Send(HttpMethod.Post, "/fhir/$import", Patient("versioned", "1940-01-01"), "application/fhir+ndjson");
        await Send(HttpMethod.Post, "/fhir/$import", Patient("versioned", "1941-02-02"), "application/fhir+ndjson");

        var (_, current) = await Send(HttpMethod.Get, "/fhir/Patient/versioned");
        Assert.Equal("2", current.RootElement.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal("1941-02-02", current.RootElement.GetProperty("birthDate").GetString());
        var (_, old) = await Send(HttpMethod.Get, "/fhir/Patient/versioned/_history/1");
        Assert.Equal("1940-01-01", old.RootElement.GetProperty("birthDate").GetString());
        Assert.Equal(2, await api.Database.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id = 'versioned'"));
        Assert.Equal(1, await api.Database.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id = 'versioned' AND is_current"));
        Assert.Equal(1, await api.Database.ScalarAsync("SELECT count(*) FROM patients WHERE patient_id = 'versioned' AND birth_date = '1941-02-02'"));
    }

    [Theory]
    [InlineData("/fhir/Patient/does-not-exist", HttpStatusCode.NotFound)]
    [InlineData("/fhir/Frobnicator/x", HttpStatusCode.BadRequest)]
    [InlineData("/fhir/Patient/x/_history/zero", HttpStatusCode.BadRequest)]
    [InlineData("/fhir/Observation?patient=x&flavour=sweet", HttpStatusCode.BadRequest)]
    [InlineData("/fhir/Observation?patient=x&date=yesterday", HttpStatusCode.BadRequest)]
    public async Task Bad_reads_answer_an_operation_outcome(string url, HttpStatusCode expected)
    {
        var (status, body) = await Send(HttpMethod.Get, url);
        Assert.Equal(expected, status);
        Assert.Equal("OperationOutcome", body.RootElement.GetProperty("resourceType").GetString());
    }

    [Fact]
    public async Task Metadata_is_a_capability_statement_listing_the_searchable_types()
    {
        var (status, body) = await Send(HttpMethod.Get, "/fhir/metadata");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("CapabilityStatement", body.RootElement.GetProperty("resourceType").GetString());
        Assert.Equal("4.0.1", body.RootElement.GetProperty("fhirVersion").GetString());
        var types = body.RootElement.GetProperty("rest")[0].GetProperty("resource").EnumerateArray().Select(r => r.GetProperty("type").GetString()).ToList();
        Assert.Equal(["Patient", "Condition", "Encounter", "MedicationRequest", "Observation", "Procedure"], types);
    }

    [Fact]
    public async Task Search_filters_by_code_and_date()
    {
        var lines = string.Join("\n",
            Patient("search-p"),
            Observation("search-o1", "Patient/search-p"),
            Observation("search-o2", "Patient/search-p").Replace("2024-01-02", "2023-06-01", StringComparison.Ordinal),
            Observation("search-o3", "Patient/search-p").Replace("2160-0", "2951-2", StringComparison.Ordinal).Replace("umol/L", "mmol/L", StringComparison.Ordinal));
        await Send(HttpMethod.Post, "/fhir/$import", lines, "application/fhir+ndjson");

        async Task<List<string>> Ids(string query)
        {
            var (status, body) = await Send(HttpMethod.Get, $"/fhir/Observation?patient=search-p&{query}");
            Assert.Equal(HttpStatusCode.OK, status);
            return body.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()!).ToList();
        }

        Assert.Equal(["search-o1", "search-o2"], await Ids("code=http://loinc.org|2160-0"));
        Assert.Equal(["search-o1", "search-o2", "search-o3"], await Ids("code=2160-0,2951-2"));
        Assert.Equal(["search-o1", "search-o3"], await Ids("date=ge2024-01"));
        Assert.Equal(["search-o2"], await Ids("date=lt2024&code=2160-0"));
        Assert.Equal(["search-o1"], await Ids("date=2024-01-02&code=2160-0"));
    }
}
