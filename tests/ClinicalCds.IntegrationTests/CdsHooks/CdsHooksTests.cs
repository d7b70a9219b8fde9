using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using ClinicalCds.Fhir.Mapping;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ClinicalCds.IntegrationTests.CdsHooks;

/// <summary>CDS Hooks 2.0 service calls over real HTTP, with our own FHIR API as the client's fhirServer.</summary>
[Collection(CdsServer.Name)]
public sealed class CdsHooksTests(CdsServerFixture server)
{
    // A Synthea sample patient (~280 resources) whose inpatient stay has sodium results.
    private static string PatientFile => Fixtures.SyntheaBundles.Single(f => Path.GetFileName(f).StartsWith("Loma_Johns_", StringComparison.Ordinal));
    private const string StayId = "6fc11baa-6eb4-4a16-994b-068a4b5d9d92";

    /// <summary>
    /// An hour after her discharge, as the record has it: the moment an EHR calls encounter-discharge. She died a day
    /// later, so against today's clock no readmission risk is hers to have (<see cref="The_dead_get_no_card"/>).
    /// </summary>
    private static DateTimeOffset AtDischarge => DateTimeOffset.Parse(
        Bundle().Resources.Single(r => r.GetProperty("resourceType").GetString() == "Encounter" && r.GetProperty("id").GetString() == StayId)
            .GetProperty("period").GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture).AddHours(1);

    /// <summary>A call to the server judging at <see cref="AtDischarge"/>.</summary>
    private async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> PostAtDischarge(string path, JsonNode body) =>
        await Post(path, body, baseUrl: await server.PinnedAsync(AtDischarge));

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> Post(string path, JsonNode body, bool authorize = true, Uri? baseUrl = null)
    {
        using var client = new HttpClient { BaseAddress = baseUrl ?? server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if (authorize)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + server.Ehr.Token(server.Audience(path)));
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, text);
    }

    private static (string PatientId, List<JsonElement> Resources) Bundle()
    {
        var input = BundleEntries.Read(File.ReadAllBytes(PatientFile));
        var resources = input.Entries.Select(e => JsonElement.Parse(e.Preparation.Resource!.Json)).ToList();
        return (resources.Single(r => r.GetProperty("resourceType").GetString() == "Patient").GetProperty("id").GetString()!, resources);
    }

    /// <summary>What an EHR would send as prefetch: each template of the service, run against the FHIR API.</summary>
    private async Task<JsonObject> PrefetchFor(string serviceId, string patientId)
    {
        using var client = TestAdmin.Client(server.BaseUrl);
        var prefetch = new JsonObject();
        foreach (var (key, template) in CdsServices.Find(serviceId)!.Prefetch!)
        {
            var query = template.Replace("{{context.patientId}}", patientId, StringComparison.Ordinal);
            prefetch[key] = JsonNode.Parse(await client.GetStringAsync("/fhir/" + query));
        }

        return prefetch;
    }

    private static JsonObject DischargeRequest(string patientId, JsonObject? prefetch, string? fhirServer = null) => new()
    {
        ["hook"] = "encounter-discharge",
        ["hookInstance"] = Guid.NewGuid().ToString(),
        ["fhirServer"] = fhirServer,
        ["fhirAuthorization"] = fhirServer is null ? null : new JsonObject
        {
            ["access_token"] = TestAdmin.Key, ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "user/*.read", ["subject"] = "clinicalcds",
        },
        ["context"] = new JsonObject { ["userId"] = "PractitionerRole/A2340113", ["patientId"] = patientId, ["encounterId"] = StayId },
        ["prefetch"] = prefetch,
    };

    [Fact]
    public async Task Discovery_lists_the_three_services_as_cds_hooks_services_json_defines_them()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        var discovery = JsonNode.Parse(await client.GetStringAsync("/cds-services"))!;
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "cds-hooks", "services.json")))!;
        Assert.True(JsonNode.DeepEquals(file, discovery));

        var services = discovery["services"]!.AsArray();
        Assert.Equal(["encounter-discharge", "encounter-start", "patient-view"], services.Select(s => (string)s!["hook"]!).Order());
        // Every field the specification's discovery example uses for a service is one we fill.
        var specFields = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Fixtures.Root, "cds-hooks", "discovery-response.json")))!["services"]!
            .AsArray().SelectMany(s => s!.AsObject().Select(p => p.Key)).ToHashSet();
        Assert.All(services, s => Assert.Superset(specFields, s!.AsObject().Select(p => p.Key).ToHashSet()));
        Assert.All(services, s => Assert.Contains("{{context.patientId}}", s!["prefetch"]!["observations"]!.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_Synthea_patient_discharged_with_complete_prefetch_gets_a_card_whose_numbers_are_the_scores()
    {
        await server.ImportOnceAsync(PatientFile);
        var (patientId, resources) = Bundle();
        var request = DischargeRequest(patientId, await PrefetchFor("readmission-risk", patientId));
        var (status, body, text) = await PostAtDischarge("/cds-services/readmission-risk", request);

        Assert.True(status == HttpStatusCode.OK, text);
        var card = body!["cards"]!.AsArray().Single()!;
        // Recorded once, with its call (issue 34 item 3): the card issued sits under the audited call that answered it.
        Assert.Equal(1, await server.Database.ScalarAsync(
            """
            SELECT count(*) FROM cds_cards c JOIN cds_audit a ON a.hook_instance = c.hook_instance AND a.service_id = c.service_id
            WHERE c.uuid = @u AND a.hook_instance = @h AND a.status = 200 AND a.outcome = 'card ' || c.indicator
            """, ("u", Guid.Parse((string)card["uuid"]!)), ("h", (string)request["hookInstance"]!)));
        var timeline = FhirTimeline.Build(patientId, resources);
        var stay = timeline.Encounter(StayId)!;
        var features = FeatureBuilder.Build(timeline, StayId, stay.End!.Value)!;
        var hospital = Hospital.Score(PublishedScores.HospitalInputOf(features));
        var lace = Lace.Score(PublishedScores.LaceInputOf(features));
        Assert.Contains($"HOSPITAL score {hospital.Total} ({hospital.RiskCategory}), LACE {lace.Total}", (string)card["summary"]!, StringComparison.Ordinal);
        Assert.True(((string)card["summary"]!).Length < 140);
        // The stay has a sodium result but no hemoglobin: the detail names exactly what was missing.
        Assert.NotNull(features.Sodium);
        Assert.Null(features.Hemoglobin);
        Assert.Contains($"**HOSPITAL {hospital.Total}**", (string)card["detail"]!, StringComparison.Ordinal);
        Assert.Contains("Not recorded (counted as normal): haemoglobin.", (string)card["detail"]!, StringComparison.Ordinal);
        Assert.True(Guid.TryParse((string?)card["uuid"], out _));
        Assert.Contains((string)card["indicator"]!, new[] { "info", "warning", "critical" });
        Assert.Equal("readmission-risk", (string)card["source"]!["topic"]!["code"]!);
        Assert.Equal(new Uri(server.BaseUrl, $"/worklist/patients/{patientId}").ToString(), (string)card["links"]![0]!["url"]!);
        Assert.NotEmpty(card["overrideReasons"]!.AsArray());
    }

    [Fact]
    public async Task Missing_and_OperationOutcome_prefetch_keys_are_fetched_from_the_fhirServer_with_the_same_result()
    {
        await server.ImportOnceAsync(PatientFile);
        var (patientId, _) = Bundle();
        var complete = await PrefetchFor("readmission-risk", patientId);
        var fhirServer = new Uri(server.BaseUrl, "/fhir").ToString();

        var partial = new JsonObject { ["patient"] = complete["patient"]!.DeepClone(), ["encounters"] = complete["encounters"]!.DeepClone() };
        var withOutcome = (JsonObject)complete.DeepClone();
        withOutcome["observations"] = JsonNode.Parse("""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"too-costly"}]}""");

        var fromPrefetch = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, complete));
        var fromPartial = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, partial, fhirServer));
        var fromOutcome = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, withOutcome, fhirServer));
        var fromServerOnly = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, null, fhirServer));

        foreach (var (status, body, text) in new[] { fromPartial, fromOutcome, fromServerOnly })
        {
            Assert.True(status == HttpStatusCode.OK, text);
            Assert.Equal((string)fromPrefetch.Body!["cards"]![0]!["summary"]!, (string)body!["cards"]![0]!["summary"]!);
            Assert.Equal((string)fromPrefetch.Body!["cards"]![0]!["detail"]!, (string)body!["cards"]![0]!["detail"]!);
        }
    }

    [Fact]
    public async Task A_prefetch_holding_only_the_first_page_of_a_search_is_completed_from_the_fhirServer_and_never_scored_as_it_is()
    {
        await server.ImportOnceAsync(PatientFile);
        var (patientId, _) = Bundle();
        var complete = await PrefetchFor("readmission-risk", patientId);
        using var client = TestAdmin.Client(server.BaseUrl);
        // What a client that sends one page sends: the first 5 observations and a next link to the rest.
        var firstPage = JsonNode.Parse(await client.GetStringAsync(
            "/fhir/" + CdsServices.Find("readmission-risk")!.Prefetch!["observations"].Replace("{{context.patientId}}", patientId, StringComparison.Ordinal).Replace("_count=5000", "_count=5", StringComparison.Ordinal)))!;
        Assert.Contains(firstPage["link"]!.AsArray(), l => (string)l!["relation"]! == "next");
        var onePage = (JsonObject)complete.DeepClone();
        onePage["observations"] = firstPage;

        var fromComplete = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, complete));
        var completed = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, (JsonObject)onePage.DeepClone(), new Uri(server.BaseUrl, "/fhir").ToString()));
        var withoutServer = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, onePage));

        Assert.True(completed.Status == HttpStatusCode.OK, completed.Text);
        Assert.Equal((string)fromComplete.Body!["cards"]![0]!["summary"]!, (string)completed.Body!["cards"]![0]!["summary"]!);
        Assert.Equal((string)fromComplete.Body!["cards"]![0]!["detail"]!, (string)completed.Body!["cards"]![0]!["detail"]!);
        Assert.Equal(HttpStatusCode.PreconditionFailed, withoutServer.Status);
        Assert.Contains("observations: the prefetch sent part of a search (a next link, a total above its matches, or an outcome with an error or warning) and the whole could not be fetched", withoutServer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_null_prefetch_key_means_no_data_and_the_card_says_what_was_not_recorded()
    {
        await server.ImportOnceAsync(PatientFile);
        var (patientId, _) = Bundle();
        var prefetch = await PrefetchFor("readmission-risk", patientId);
        prefetch["observations"] = null;

        var (status, body, text) = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, prefetch, new Uri(server.BaseUrl, "/fhir").ToString()));

        Assert.True(status == HttpStatusCode.OK, text);
        Assert.Contains("Not recorded (counted as normal): haemoglobin, sodium", (string)body!["cards"]![0]!["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_data_without_a_reachable_fhirServer_is_412_with_an_OperationOutcome()
    {
        var noServer = await Post("/cds-services/readmission-risk", DischargeRequest("someone", new JsonObject { ["patient"] = null }));
        var unreachable = await Post("/cds-services/readmission-risk", DischargeRequest("someone", null, "http://127.0.0.1:9/fhir"));

        foreach (var (status, body, _) in new[] { noServer, unreachable })
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, status);
            Assert.Equal("OperationOutcome", (string)body!["resourceType"]!);
            Assert.Contains("encounters", body.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_fhirServer_that_hangs_or_fails_gets_412_within_the_fetch_deadline_or_cards_from_the_store_when_configured()
    {
        // An EHR's FHIR server in trouble: one path never answers, one answers 500, one answers JSON whose strings are
        // not text (an unpaired surrogate escape, which System.Text.Json cannot read as a string).
        var ehr = WebApplication.CreateSlimBuilder();
        ehr.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        await using var faulty = ehr.Build();
        faulty.MapGet("/hang/{**path}", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromMinutes(2), ct);
            return Results.Ok();
        });
        faulty.MapGet("/broken/{**path}", () => Results.StatusCode(500));
        faulty.MapGet("/garbled/{**path}", () => Results.Text(
            """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Encounter","id":"\ud800"}}]}""",
            "application/fhir+json"));
        // Partial answers that say so (issue 30): a total above what the pages hold, and a search that warns it was cut.
        faulty.MapGet("/short/{**path}", () => Results.Text(
            """{"resourceType":"Bundle","type":"searchset","total":40,"entry":[]}""", "application/fhir+json"));
        faulty.MapGet("/warned/{**path}", () => Results.Text(
            """{"resourceType":"Bundle","type":"searchset","entry":[{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"too-costly","diagnostics":"too many matches"}]}}]}""",
            "application/fhir+json"));
        await faulty.StartAsync();
        var ehrUrl = faulty.Urls.First();

        await server.ImportOnceAsync(PatientFile);
        var (patientId, _) = Bundle();
        var (fallback, fallbackUrl) = await server.StartAnotherAsync("--CdsHooks:StoreFallback=true", $"--Scoring:AsOf={AtDischarge:O}");
        await using (fallback)
        {
            foreach (var fhirServer in new[] { $"{ehrUrl}/hang", $"{ehrUrl}/broken", $"{ehrUrl}/garbled", $"{ehrUrl}/short", $"{ehrUrl}/warned" })
            {
                // The fixture's deadline is 3 s per request (CdsHooks:FetchTimeoutSeconds): the hang is cut, not waited out.
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (status, body, text) = await Post("/cds-services/readmission-risk", DischargeRequest(patientId, null, fhirServer));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{fhirServer}: answered after {clock.Elapsed}");
                Assert.True(status == HttpStatusCode.PreconditionFailed, $"{fhirServer}: {text}");
                Assert.Equal("OperationOutcome", (string)body!["resourceType"]!);

                // Configured to, the service answers from its own store instead.
                var fromStore = await Post("/cds-services/readmission-risk", DischargeRequest(patientId, null, fhirServer), baseUrl: fallbackUrl);
                Assert.True(fromStore.Status == HttpStatusCode.OK, $"{fhirServer} with store fallback: {fromStore.Text}");
                Assert.Contains("HOSPITAL score", (string)fromStore.Body!["cards"]![0]!["summary"]!, StringComparison.Ordinal);
                // The card's Data paragraph says each reason once, with the keys it applies to (issue 31 item 5).
                var detail = (string)fromStore.Body!["cards"]![0]!["detail"]!;
                var data = detail[(detail.IndexOf("could not be had in full (", StringComparison.Ordinal) + "could not be had in full (".Length)..detail.LastIndexOf(')')];
                var reasons = data.Split("; ").Select(part => part.Split(": ", 2)[^1]).ToList();
                Assert.True(reasons.Count == reasons.Distinct().Count(), $"{fhirServer}: {data}");
            }
        }
    }

    [Fact]
    public async Task The_specifications_patient_view_request_is_answered_412_when_its_fhirServer_cannot_be_reached()
    {
        var request = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Fixtures.Root, "cds-hooks", "request-patient-view.json")))!;
        var (status, body, _) = await Post("/cds-services/patient-risk-summary", request);
        Assert.Equal(HttpStatusCode.PreconditionFailed, status);
        Assert.Equal("OperationOutcome", (string)body!["resourceType"]!);
    }

    public static TheoryData<string, string, int> BadRequests => new()
    {
        { "readmission-risk", "{not json", 400 },
        { "readmission-risk", """{"hook":"patient-view","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","context":{"userId":"u","patientId":"p","encounterId":"e"}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p"}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"},"prefetch":{"patient":{"resourceType":"Patient","birthDate":"1960-02-31"}}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"},"prefetch":{"patient":{"resourceType":"Patient","id":"p","birthDate":"1960-02-31"}}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"},"prefetch":{"encounters":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"start":42}}}]}}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"},"prefetch":{"observations":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"valueQuantity":{"value":"high"}}}]}}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"},"prefetch":{"conditions":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"NoSuchType","id":"c"}}]}}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"},"prefetch":{"patient":[1,2]}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","fhirServer":"ftp://x","context":{"userId":"u","patientId":"p","encounterId":"e"}}""", 400 },
        { "readmission-risk", "[]", 400 },
        // Lone UTF-16 surrogates escaped in JSON strings: valid JSON, but not text (System.Text.Json throws when asked for it).
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"\ud800","context":{"userId":"u","patientId":"p","encounterId":"e"}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"\udc00","encounterId":"e"}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","fhirServer":"http://x/\ud800","context":{"userId":"u","patientId":"p","encounterId":"e"}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"},"prefetch":{"patient":{"resourceType":"Patient","id":"p","gender":"\ud800","birthDate":"1960-02-01"}}}""", 400 },
        { "readmission-risk", """{"hook":"encounter-discharge","hookInstance":"x","context":{"userId":"u","patientId":"p","encounterId":"e"},"prefetch":{"patient":{"resourceType":"Patient","id":"p","birthDate":"1960-02-01","name":[{"family":"\ud800"}]}}}""", 400 },
        { "no-such-service", """{"hook":"patient-view","hookInstance":"x","context":{"userId":"u","patientId":"p"}}""", 404 },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_get_a_4xx_OperationOutcome(string serviceId, string body, int expected)
    {
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        var path = $"/cds-services/{serviceId}";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + server.Ehr.Token(server.Audience(path)));
        using var response = await client.SendAsync(request);

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("OperationOutcome", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["resourceType"]!);
    }

    [Fact]
    public async Task Encounter_start_on_a_stay_whose_vital_signs_are_older_than_24_h_answers_insufficient_data_never_NEWS2_0()
    {
        await server.ImportOnceAsync(PatientFile);
        var (patientId, resources) = Bundle();
        var request = DischargeRequest(patientId, await PrefetchFor("deterioration-risk", patientId));
        request["hook"] = "encounter-start";

        var (status, body, text) = await PostAtDischarge("/cds-services/deterioration-risk", request);

        Assert.True(status == HttpStatusCode.OK, text);
        // This Synthea stay's vital signs were charted more than 24 h before its end: none is current (issue 29 item 4).
        var timeline = FhirTimeline.Build(patientId, resources);
        var end = timeline.Encounter(StayId)!.End!.Value;
        var lastVitals = timeline.Observations.Where(o => o.Effective <= end && ClinicalCds.Domain.Clinical.Loinc.News2Parameters.Contains(o.Code)).Max(o => o.Effective);
        Assert.True(end - lastVitals > TimeSpan.FromHours(24), $"last vital sign {lastVitals}, stay ended {end}");
        var card = body!["cards"]!.AsArray().Single()!;
        Assert.Equal("info", (string)card["indicator"]!);
        Assert.StartsWith("Insufficient data to estimate the risk of deterioration", (string)card["summary"]!, StringComparison.Ordinal);
        Assert.Contains("No vital signs were charted in the 24 h before", (string)card["detail"]!, StringComparison.Ordinal);
        Assert.DoesNotContain("NEWS2 0", (string)card["detail"]!, StringComparison.Ordinal);
        Assert.Equal("deterioration-risk", (string)card["source"]!["topic"]!["code"]!);
    }

    [Fact]
    public async Task Browser_clients_from_a_configured_origin_pass_the_CORS_preflight()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        foreach (var (origin, allowed) in new[] { (CdsServerFixture.BrowserOrigin, true), ("https://elsewhere.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/cds-services/readmission-risk");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            using var response = await client.SendAsync(preflight);
            Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);
        }
    }

    [Fact]
    public async Task The_dead_get_no_card()
    {
        // Issue 30: she died a day after this discharge. Called today, the encounter-discharge hook asks the risk's own
        // rule (RiskDefinition.ChooseStay, as runs and training do) and gives no readmission risk; the audit says why.
        await server.ImportOnceAsync(PatientFile);
        var (patientId, resources) = Bundle();
        var died = DateTimeOffset.Parse(resources.Single(r => r.GetProperty("resourceType").GetString() == "Patient")
            .GetProperty("deceasedDateTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(died - AtDischarge, TimeSpan.FromHours(12), TimeSpan.FromDays(3));
        var request = DischargeRequest(patientId, await PrefetchFor("readmission-risk", patientId));
        var hookInstance = (string)request["hookInstance"]!;

        var (status, body, text) = await Post("/cds-services/readmission-risk", request);

        Assert.True(status == HttpStatusCode.OK, text);
        Assert.Empty(body!["cards"]!.AsArray());
        Assert.Equal(1, await server.Database.ScalarAsync(
            "SELECT count(*) FROM cds_audit WHERE hook_instance = @h AND status = 200 AND outcome = 'no card: deceased'", ("h", hookInstance)));

        // At her discharge, alive, the same call gets its card.
        var atDischarge = await PostAtDischarge("/cds-services/readmission-risk", DischargeRequest(patientId, await PrefetchFor("readmission-risk", patientId)));
        Assert.Single(atDischarge.Body!["cards"]!.AsArray());
    }

    [Fact]
    public async Task A_shipped_model_runs_silent_until_a_named_administrator_makes_it_live_and_the_published_score_answers_meanwhile()
    {
        // Issue 32 item 3 with the gate on, as in production: the shipped readmission model, validated on no hospital's
        // patients, is scored but its card is the published score's until `models go-live`.
        var models = Directory.CreateTempSubdirectory("clinicalcds-golive-");
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "models", "readmission"), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(models.FullName, "readmission", Path.GetRelativePath(Path.Combine(Repository.Root, "models", "readmission"), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            var version = Repository.ShippedVersion("readmission");
            var (app, url) = await server.StartAnotherAsync($"--Models:Root={models.FullName}", "--Models:GoLive:Required=true", $"--Scoring:AsOf={AtDischarge:O}");
            await using var _ = app;
            await server.ImportOnceAsync(PatientFile);
            var (patientId, _) = Bundle();
            async Task<JsonNode> Card()
            {
                var (status, body, text) = await Post("/cds-services/readmission-risk", DischargeRequest(patientId, await PrefetchFor("readmission-risk", patientId)), baseUrl: url);
                Assert.True(status == HttpStatusCode.OK, text);
                return body!["cards"]!.AsArray().Single()!;
            }

            var silent = await Card();
            Assert.Contains(" 30-day readmission risk: HOSPITAL score", (string)silent["summary"]!, StringComparison.Ordinal);
            Assert.Contains($"Readmission {version} has not gone live here", (string)silent["detail"]!, StringComparison.Ordinal);
            Assert.DoesNotContain($"readmission model {version}", (string)silent["detail"]!, StringComparison.Ordinal);

            // Its recorded evaluation (the MIMIC-IV demo: 17 events) does not meet the minimums: refused, saying why.
            var environment = new Dictionary<string, string> { ["ConnectionStrings__ClinicalCds"] = server.Database.ConnectionString, ["Models__Root"] = models.FullName };
            var (refused, why) = await CliProcess.RunAsync(environment, "models", "go-live", "readmission", version, "--by", "Dr Ana Lopez, CMIO", "--reason", "committee 2026-12");
            Assert.Equal(2, refused);
            Assert.Contains("no local evaluation that meets the go-live minimums", why, StringComparison.Ordinal);
            Assert.Contains("17 events (at least 100)", why, StringComparison.Ordinal);

            // A named administrator accepts it without one: audited as an acceptance, and the running server follows at once.
            var (accepted, printed) = await CliProcess.RunAsync(environment, "models", "go-live", "readmission", version, "--by", "Dr Ana Lopez, CMIO", "--reason", "committee 2026-12", "--accept");
            Assert.True(accepted == 0, printed);
            Assert.Equal(1, await server.Database.ScalarAsync(
                "SELECT count(*) FROM model_serving_changes WHERE model = 'readmission' AND action = 'accept' AND to_version = @v AND actor = 'Dr Ana Lopez, CMIO' AND reason LIKE 'committee 2026-12 (accepted without a qualifying local evaluation: %'",
                ("v", version)));
            var live = await Card();
            Assert.Contains($"readmission model {version}", (string)live["detail"]!, StringComparison.Ordinal);
            Assert.DoesNotContain("gone live", (string)live["detail"]!, StringComparison.Ordinal);
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Each_call_is_audited_without_the_access_token()
    {
        var hookInstance = Guid.NewGuid().ToString();
        var request = DischargeRequest("audited-patient", null, "http://127.0.0.1:9/fhir");
        request["hookInstance"] = hookInstance;
        await Post("/cds-services/readmission-risk", request);

        Assert.Equal(1, await server.Database.ScalarAsync(
            "SELECT count(*) FROM cds_audit WHERE hook_instance = @h AND status = 412 AND patient_id = 'audited-patient' AND client_id = @c",
            ("h", hookInstance), ("c", CdsServerFixture.EhrIssuer)));
        Assert.Equal(0, await server.Database.ScalarAsync(
            "SELECT count(*) FROM cds_audit WHERE cds_audit::text LIKE '%opaque-token%'"));
    }
}
