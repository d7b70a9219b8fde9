using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Fhir;

/// <summary>
/// What a browser CDS client (the CDS Hooks sandbox) needs of the FHIR API: CORS for configured origins, FHIR search by
/// POST, and an opt-in anonymous read-only mode for demonstrations.
/// </summary>
[Collection(CdsServer.Name)]
public sealed class FhirBrowserAccessTests(CdsServerFixture server)
{
    private static string PatientFile => Fixtures.SyntheaBundles.Single(f => Path.GetFileName(f).StartsWith("Loma_Johns_", StringComparison.Ordinal));

    [Fact]
    public async Task A_search_by_POST_answers_the_same_Bundle_as_by_GET_and_merges_URL_parameters()
    {
        await server.ImportOnceAsync(PatientFile);
        using var client = TestAdmin.Client(server.BaseUrl);
        var patient = (string)JsonNode.Parse(await client.GetStringAsync("/fhir/Patient?_count=1"))!["entry"]![0]!["resource"]!["id"]!;

        var byGet = JsonNode.Parse(await client.GetStringAsync($"/fhir/Observation?patient={patient}&_count=7"))!;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["patient"] = patient });
        using var post = await client.PostAsync("/fhir/Observation/_search?_count=7", form);
        var byPost = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(7, byGet["entry"]!.AsArray().Count);
        Assert.Equal((int)byGet["total"]!, (int)byPost["total"]!);
        Assert.Equal(Ids(byGet), Ids(byPost));
    }

    [Fact]
    public async Task A_search_by_POST_with_a_JSON_body_is_a_415_OperationOutcome()
    {
        using var client = TestAdmin.Client(server.BaseUrl);
        using var response = await client.PostAsync("/fhir/Patient/_search", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("OperationOutcome", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["resourceType"]!);
    }

    /// <summary>
    /// Issue 33 item 4: what an HTML form can send (text/plain, form, multipart) — from another site or one on the same
    /// site that SameSite cookies let through — writes nothing: 415 whatever the credential.
    /// </summary>
    [Theory]
    [InlineData("/fhir", "text/plain")]
    [InlineData("/fhir", "application/x-www-form-urlencoded")]
    [InlineData("/fhir", "multipart/form-data; boundary=x")]
    [InlineData("/fhir/$import", "text/plain")]
    [InlineData("/fhir/$import", "application/x-www-form-urlencoded")]
    public async Task A_write_in_a_media_type_an_HTML_form_can_send_is_refused_415_and_writes_nothing(string path, string mediaType)
    {
        var id = $"csrf-{Guid.NewGuid():N}";
        var body = path == "/fhir"
            ? $$$"""{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"{{{id}}}","gender":"other"},"request":{"method":"PUT","url":"Patient/{{{id}}}"}}]}"""
            : $$"""{"resourceType":"Patient","id":"{{id}}","gender":"other"}""";
        using var client = TestAdmin.Client(server.BaseUrl);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", mediaType);
        using var response = await client.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("OperationOutcome", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["resourceType"]!);
        using var read = await client.GetAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task Reading_needs_a_credential_unless_anonymous_reading_is_switched_on_and_writing_always_does()
    {
        await server.ImportOnceAsync(PatientFile);
        using var anonymous = new HttpClient { BaseAddress = server.BaseUrl };
        using var closed = await anonymous.GetAsync("/fhir/Patient?_count=1");
        Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);

        var (app, url) = await server.StartAnotherAsync("--Fhir:AnonymousRead=true");
        await using (app)
        {
            using var open = new HttpClient { BaseAddress = url };
            using var read = await open.GetAsync("/fhir/Patient?_count=1");
            using var search = await open.PostAsync("/fhir/Patient/_search", new FormUrlEncodedContent(new Dictionary<string, string> { ["_count"] = "1" }));
            using var write = await open.PostAsync("/fhir", new StringContent("""{"resourceType":"Bundle","type":"transaction","entry":[]}""", Encoding.UTF8, "application/fhir+json"));
            using var import = await open.PostAsync("/fhir/$import", new StringContent("", Encoding.UTF8, "application/fhir+ndjson"));

            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, import.StatusCode);
        }
    }

    [Theory]
    [InlineData("GET", "/fhir/metadata")]
    [InlineData("GET", "/fhir/Patient/x")]
    [InlineData("POST", "/fhir/Observation/_search")]
    public async Task FHIR_calls_from_a_configured_origin_get_CORS_headers_and_others_do_not(string method, string path)
    {
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        foreach (var (origin, allowed) in new[] { (CdsServerFixture.BrowserOrigin, true), ("https://elsewhere.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", method);
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            using var response = await client.SendAsync(preflight);
            Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);
        }
    }

    private static List<string> Ids(JsonNode bundle) => [.. bundle["entry"]!.AsArray().Select(e => (string)e!["resource"]!["id"]!)];
}
