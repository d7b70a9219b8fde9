using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Mediator;
using ClinicalCds.Application.Worklist.RecordReviewAction;
using ClinicalCds.Application.Worklist.GetPatientRisk;
using ClinicalCds.Application.Worklist;

namespace ClinicalCds.IntegrationTests.Worklist;

/// <summary>The worklist's JSON API, CSV export and audit, over HTTP against the real server with a scored population.</summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class WorklistApiTests(ScoringServerFixture fixture)
{
    [Fact]
    public async Task The_API_ranks_filters_exports_and_audits_and_needs_a_signed_in_role()
    {
        var run = Assert.Single(await fixture.ScoreAsync("recent-discharges"));
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl };
        foreach (var path in new[] { "/api/worklist", "/api/patients/x/risk", "/openapi/v1.json" })
        {
            using var denied = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        using var csvDenied = await anonymous.GetAsync("/worklist.csv");
        Assert.Equal(HttpStatusCode.Redirect, csvDenied.StatusCode);

        using var client = fixture.AdminClient();
        var page = await client.GetFromJsonAsync<JsonElement>("/api/worklist?model=readmission&pageSize=500");
        var rows = page.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(run.Scored, page.GetProperty("total").GetInt32());
        Assert.Equal(run.Scored, rows.Count);
        // Ranked: tier first (high, moderate, low), then probability, highest first.
        var ranks = rows.Select(r => (Tier: r.GetProperty("tier").GetString() switch { "high" => 2, "moderate" => 1, _ => 0 }, P: r.GetProperty("probability").GetDouble())).ToList();
        Assert.Equal(ranks.OrderByDescending(r => r.Tier).ThenByDescending(r => r.P), ranks);
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("name").GetString())));

        var first = rows[0];
        var mrn = first.GetProperty("mrn").GetString()!;
        var found = await client.GetFromJsonAsync<JsonElement>($"/api/worklist?q={mrn}");
        Assert.Equal(first.GetProperty("patientId").GetString(), Assert.Single(found.GetProperty("rows").EnumerateArray()).GetProperty("patientId").GetString());
        var tier = first.GetProperty("tier").GetString();
        var byTier = await client.GetFromJsonAsync<JsonElement>($"/api/worklist?tier={tier}");
        Assert.All(byTier.GetProperty("rows").EnumerateArray(), r => Assert.Equal(tier, r.GetProperty("tier").GetString()));

        var patient = first.GetProperty("patientId").GetString()!;
        var risk = await client.GetFromJsonAsync<JsonElement>($"/api/patients/{patient}/risk");
        var latest = risk.GetProperty("record").GetProperty("latest").EnumerateArray().Single(l => l.GetProperty("model").GetString() == "readmission");
        Assert.Equal(first.GetProperty("probability").GetDouble(), latest.GetProperty("probability").GetDouble(), 12);
        Assert.NotEmpty(latest.GetProperty("topFactors").EnumerateArray());
        // The risk's own published scores, and only those (no discharge score beside a stay in progress, no NEWS2 at discharge).
        Assert.Equal(["HOSPITAL", "LACE"], risk.GetProperty("publishedScores").GetProperty("readmission").EnumerateArray().Select(s => s.GetProperty("name").GetString()).Order());

        // What a stored score did not know is told as the CDS card tells it, on the API and on the patient's page.
        var withMissing = (await Task.WhenAll(page.GetProperty("rows").EnumerateArray().Take(40).Select(async r =>
            (Id: r.GetProperty("patientId").GetString()!, Risk: await client.GetFromJsonAsync<JsonElement>($"/api/patients/{r.GetProperty("patientId").GetString()}/risk")))))
            .FirstOrDefault(p => p.Risk.GetProperty("notRecorded").TryGetProperty("readmission", out _));
        Assert.True(withMissing.Id is not null, "none of the first 40 patients has a readmission input not recorded");
        var notRecorded = withMissing.Risk.GetProperty("notRecorded").GetProperty("readmission");
        Assert.Matches(@"^Not recorded: \d+ of the model's \d+ inputs", notRecorded.GetProperty("sentence").GetString()!);
        using var signedIn = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl };
        using var pageRequest = new HttpRequestMessage(HttpMethod.Get, $"/worklist/patients/{withMissing.Id}");
        pageRequest.Headers.Add("Cookie", await fixture.SignInAsync(ScoringServerFixture.CareManager));
        using var pageResponse = await signedIn.SendAsync(pageRequest);
        var patientPage = await pageResponse.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, pageResponse.StatusCode);
        Assert.Contains("What was not recorded", patientPage, StringComparison.Ordinal);
        Assert.Contains(notRecorded.GetProperty("sentence").GetString()!, System.Net.WebUtility.HtmlDecode(patientPage), StringComparison.Ordinal);

        // The list says it too (issue 31 item 5): the stored caveat on the row, its first sentence in the list, the whole on hover.
        var listed = rows.Single(r => r.GetProperty("patientId").GetString() == withMissing.Id);
        var stored = listed.GetProperty("notRecorded").GetString()!;
        Assert.Equal(notRecorded.GetProperty("sentence").GetString(), stored);
        var headline = listed.GetProperty("notRecordedHeadline").GetString()!;
        Assert.Matches(@"^Not recorded: \d+ of the model's \d+ inputs$", headline);
        using var listRequest = new HttpRequestMessage(HttpMethod.Get, $"/worklist?model=readmission&q={Uri.EscapeDataString(listed.GetProperty("mrn").GetString()!)}");
        listRequest.Headers.Add("Cookie", await fixture.SignInAsync(ScoringServerFixture.CareManager));
        using var listResponse = await signedIn.SendAsync(listRequest);
        var listPage = System.Net.WebUtility.HtmlDecode(await listResponse.Content.ReadAsStringAsync());
        Assert.Contains($"title=\"{stored}\">{headline}</span>", listPage, StringComparison.Ordinal);

        // Issue 33 item 7: patient data is never kept by a browser or proxy cache.
        foreach (var path in new[] { "/api/worklist?model=readmission", $"/api/patients/{patient}/risk", "/worklist.csv?model=readmission", "/fhir/metadata", $"/fhir/RiskAssessment?patient={patient}" })
        {
            using var data = await client.GetAsync(path);
            Assert.True(data.IsSuccessStatusCode, path);
            Assert.True(data.Headers.CacheControl?.NoStore == true, $"{path}: Cache-Control {data.Headers.CacheControl}");
        }

        var csv = await client.GetStringAsync("/worklist.csv?model=readmission");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("patient_id,name,mrn,model,probability,tier", lines[0], StringComparison.Ordinal);
        Assert.Equal(run.Scored, lines.Length - 1);

        using var openApi = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        Assert.Contains("/api/worklist", await openApi.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Every view was recorded: who, which patient, what.
        Assert.True(await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM worklist_audit WHERE user_name = 'admin-api-key' AND patient_id = @p AND action = 'api-patient-risk'", ("p", patient)) >= 1);
        Assert.True(await fixture.Database.ScalarAsync("SELECT count(*) FROM worklist_audit WHERE action = 'export-csv'") >= 1);
        Assert.True(await fixture.Database.ScalarAsync("SELECT count(*) FROM worklist_audit WHERE action = 'api-worklist'") >= 3);
    }

    [Fact]
    public async Task A_row_tells_a_transition_of_care_day_age_stay_days_since_discharge_disposition_follow_up_and_three_factors()
    {
        await fixture.ScoreAsync("recent-discharges", "readmission");
        using var client = fixture.AdminClient();
        var page = await client.GetFromJsonAsync<JsonElement>("/api/worklist?model=readmission&pageSize=500");
        var rows = page.GetProperty("rows").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        var first = rows[0];
        var patientId = first.GetProperty("patientId").GetString()!;

        // Recorded by the EHR: a primary care provider on the Patient and a booked visit a week after the discharge.
        var discharge = first.GetProperty("discharge").GetDateTimeOffset();
        var patient = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/fhir/Patient/{patientId}"))!.AsObject();
        patient["generalPractitioner"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["display"] = "Dr. Ada Okafor" });
        var visit = discharge.AddDays(7);
        var appointment = System.Text.Json.Nodes.JsonNode.Parse(
            $$"""{"resourceType":"Appointment","id":"follow-up-{{patientId}}","status":"booked","start":"{{visit.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","participant":[{"actor":{"reference":"Patient/{{patientId}}"},"status":"accepted"}]}""");
        var bundle = new System.Text.Json.Nodes.JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "transaction",
            ["entry"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject { ["resource"] = patient, ["request"] = new System.Text.Json.Nodes.JsonObject { ["method"] = "PUT", ["url"] = $"Patient/{patientId}" } },
                new System.Text.Json.Nodes.JsonObject { ["resource"] = appointment, ["request"] = new System.Text.Json.Nodes.JsonObject { ["method"] = "PUT", ["url"] = $"Appointment/follow-up-{patientId}" } }),
        };
        using (var post = await client.PostAsync("/fhir", new StringContent(bundle.ToJsonString(), System.Text.Encoding.UTF8, "application/fhir+json")))
        {
            Assert.True(post.IsSuccessStatusCode, await post.Content.ReadAsStringAsync());
        }

        // What the row says equals what the store holds for that score's stay.
        var expected = new Dictionary<string, (int Age, DateTimeOffset Admitted, string? Disposition, string[] Factors, string? PrimaryCare)>(StringComparer.Ordinal);
        await using (var connection = new Npgsql.NpgsqlConnection(fixture.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                """
                SELECT l.patient_id, p.birth_date, l.as_of, e.period_start, e.discharge_disposition, s.top_factors::text,
                       r.content -> 'generalPractitioner' -> 0 ->> 'display'
                FROM latest_risk_scores l JOIN patients p USING (patient_id) JOIN encounters e ON e.encounter_id = l.encounter_id
                JOIN risk_scores s ON s.run_id = l.run_id AND s.patient_id = l.patient_id AND s.model = l.model
                JOIN fhir_resources r ON r.resource_type = 'Patient' AND r.id = l.patient_id AND r.is_current
                WHERE l.model = 'readmission'
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var born = reader.GetFieldValue<DateOnly>(1);
                var asOf = DateOnly.FromDateTime(reader.GetFieldValue<DateTimeOffset>(2).UtcDateTime);
                var age = asOf.Year - born.Year - (asOf < born.AddYears(asOf.Year - born.Year) ? 1 : 0);
                expected[reader.GetString(0)] = (age, reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    JsonSerializer.Deserialize<string[]>(reader.GetString(5))!, reader.IsDBNull(6) ? null : reader.GetString(6));
            }
        }

        // Dates are the hospital's calendar days (this fixture's zone: UTC), "days since" counted to today (issue 35 item 2).
        var todayBefore = DateOnly.FromDateTime(DateTime.UtcNow);
        page = await client.GetFromJsonAsync<JsonElement>("/api/worklist?model=readmission&pageSize=500");
        var todayAfter = DateOnly.FromDateTime(DateTime.UtcNow);
        static DateOnly Day(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);
        foreach (var row in page.GetProperty("rows").EnumerateArray())
        {
            var id = row.GetProperty("patientId").GetString()!;
            var (age, admitted, disposition, factors, _) = expected[id];
            var asOf = row.GetProperty("asOf").GetDateTimeOffset();
            var discharged = row.GetProperty("discharge").GetDateTimeOffset();
            Assert.Equal(age, row.GetProperty("ageYears").GetInt32());
            Assert.Equal(admitted, row.GetProperty("admitted").GetDateTimeOffset());
            Assert.Equal(Day(discharged).DayNumber - Day(admitted).DayNumber, row.GetProperty("lengthOfStayDays").GetInt32());
            Assert.Equal(Day(discharged), DateOnly.Parse(row.GetProperty("dischargeDate").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(row.GetProperty("daysSinceDischarge").GetInt32(), todayBefore.DayNumber - Day(discharged).DayNumber, todayAfter.DayNumber - Day(discharged).DayNumber);
            Assert.True(discharged <= asOf);
            Assert.Equal(Domain.Features.EncounterKinds.DispositionDisplay(disposition), row.GetProperty("disposition").GetString());
            Assert.Equal(factors, row.GetProperty("topFactors").EnumerateArray().Select(f => f.GetString()));
            Assert.True(factors.Length >= 3, $"{id}: {factors.Length} factors");
            if (id == patientId)
            {
                Assert.Equal("Dr. Ada Okafor", row.GetProperty("primaryCare").GetString());
                Assert.Equal(visit.UtcDateTime, row.GetProperty("followUp").GetDateTimeOffset().UtcDateTime);
            }
            else
            {
                // The synthetic population names a physician for three patients in four: the row shows the stored Patient's.
                Assert.Equal(expected[id].PrimaryCare, row.GetProperty("primaryCare").GetString());
            }
        }

        Assert.Contains(page.GetProperty("rows").EnumerateArray(), r => r.GetProperty("patientId").GetString() != patientId && r.GetProperty("primaryCare").ValueKind == JsonValueKind.String);

        // The page: the first factor shown, two more on expanding it; age, stay, days since discharge, follow-up.
        using var browser = new HttpClient { BaseAddress = fixture.BaseUrl };
        browser.DefaultRequestHeaders.Add("Cookie", await fixture.SignInAsync(ScoringServerFixture.CareManager));
        var html = await browser.GetStringAsync($"/worklist?model=readmission&q={first.GetProperty("mrn").GetString()}");
        var shown = expected[patientId];
        Assert.Contains($"<details><summary>{System.Text.Encodings.Web.HtmlEncoder.Default.Encode(shown.Factors[0])}</summary>", html, StringComparison.Ordinal);
        Assert.Contains($"<li>{System.Text.Encodings.Web.HtmlEncoder.Default.Encode(shown.Factors[2])}</li>", html, StringComparison.Ordinal);
        Assert.All(shown.Factors.Skip(3), f => Assert.DoesNotContain($"<li>{System.Text.Encodings.Web.HtmlEncoder.Default.Encode(f)}</li>", html, StringComparison.Ordinal));
        Assert.Contains($"{shown.Age} years", html, StringComparison.Ordinal);
        Assert.Contains($"Visit {visit.UtcDateTime:yyyy-MM-dd}", html, StringComparison.Ordinal);
        Assert.Contains("PCP: Dr. Ada Okafor", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_patient_is_assigned_only_to_an_active_worklist_account_and_the_history_names_whom()
    {
        var run = Assert.Single(await fixture.ScoreAsync("recent-discharges"));
        var patient = (string)(await fixture.Database.TextAsync(
            "SELECT patient_id FROM risk_scores WHERE run_id = @r AND status = 'scored' ORDER BY patient_id LIMIT 1", ("r", run.RunId)))!;
        using var scope = fixture.Services.CreateScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        ValueTask<string?> Assign(string? to) => mediator.Send(new RecordReviewActionCommand(
            new ReviewAction(patient, "readmission", ReviewActionKind.Assigned, to, ScoringServerFixture.Admin)));

        Assert.Contains("no active worklist account", await Assign("nobody@hospital.test"), StringComparison.Ordinal);
        Assert.Null(await Assign(ScoringServerFixture.CareManager.ToUpperInvariant()));
        Assert.Null(await Assign(null));

        var view = (await mediator.Send(new GetPatientRiskQuery(patient, ScoringServerFixture.Admin)))!;
        Assert.Contains(ScoringServerFixture.CareManager, view.Assignable);
        Assert.Contains(ScoringServerFixture.Admin, view.Assignable);
        var assignments = view.Record.Events.Where(e => e.Action == "assigned").Select(e => e.Described).ToList();
        Assert.Contains($"assigned to {ScoringServerFixture.CareManager}", assignments); // the account's own name, not as typed
        Assert.Contains("unassigned", assignments);
        Assert.DoesNotContain(assignments, a => a.Contains("nobody", StringComparison.Ordinal));
    }
}

[Collection(ScoringServerFixture.Collection)]
public sealed class ModelPagesTests(ScoringServerFixture fixture)
{
    [Fact]
    public async Task Model_cards_are_public_and_model_administration_is_for_administrators()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl };
        var card = await anonymous.GetStringAsync("/models/readmission");
        Assert.Contains(Repository.ShippedModel("readmission"), card, StringComparison.Ordinal);
        Assert.Contains("Intended use", card, StringComparison.Ordinal);
        Assert.Contains("LACE AUROC on the same rows", card, StringComparison.Ordinal);
        using var unknown = await anonymous.GetAsync("/models/sepsis");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var admin = await anonymous.GetAsync("/models");
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.StartsWith("/account/login", admin.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var client = fixture.AdminClient();
        var list = await client.GetStringAsync("/models");
        Assert.Contains("href=\"/models/readmission\"", list, StringComparison.Ordinal);
        Assert.Contains("href=\"/models/complication\"", list, StringComparison.Ordinal);
    }
}

[Collection(ScoringServerFixture.Collection)]
public sealed class ReplicaTests(ScoringServerFixture fixture)
{
    [Fact]
    public async Task Key_labs_show_the_latest_result_of_every_code_the_features_read()
    {
        // Issue 35 item 3: sodium as serum (2951-2) on 23 November and as blood (2947-0) on 29 November; HOSPITAL reads
        // both, so the page shows the later, 142 — not the serum 135 alone.
        using var admin = fixture.AdminClient();
        const string Patient = "key-labs-sodium";
        static string Sodium(string id, string code, string day, double value) =>
            $$$"""{"resource":{"resourceType":"Observation","id":"{{{id}}}","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"{{{code}}}"}]},"subject":{"reference":"Patient/key-labs-sodium"},"effectiveDateTime":"2026-11-{{{day}}}T08:00:00Z","valueQuantity":{"value":{{{value}}},"unit":"mmol/L","system":"http://unitsofmeasure.org","code":"mmol/L"}},"request":{"method":"PUT","url":"Observation/{{{id}}}"}}""";
        var bundle = $$$"""{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"{{{Patient}}}","gender":"female","birthDate":"1950-01-01"},"request":{"method":"PUT","url":"Patient/{{{Patient}}}"}},{{{Sodium("na-serum", "2951-2", "23", 135)}}},{{{Sodium("na-blood", "2947-0", "29", 142)}}}]}""";
        using (var content = new StringContent(bundle, System.Text.Encoding.UTF8, "application/fhir+json"))
        {
            using var posted = await admin.PostAsync("/fhir", content);
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        }

        var risk = await admin.GetFromJsonAsync<JsonElement>($"/api/patients/{Patient}/risk");
        var sodium = risk.GetProperty("record").GetProperty("labs").EnumerateArray().Where(l => l.GetProperty("name").GetString() == "Sodium").ToList();
        var shown = Assert.Single(sodium);
        Assert.Equal((142.0, "2947-0"), (shown.GetProperty("value").GetDouble(), shown.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_sign_in_on_one_API_replica_is_honoured_by_another_on_the_same_database()
    {
        // The other replica is another process (`clinicalcds serve`) on the same database.
        var second = new Uri($"http://127.0.0.1:{Ports.Free()}");
        await using var replica = CliProcess.Start(
            new Dictionary<string, string>
            {
                ["ConnectionStrings__ClinicalCds"] = fixture.Database.ConnectionString,
                ["Models__Root"] = Path.Combine(Repository.Root, "models"),
                ["Logging__LogLevel__Default"] = "Warning",
            },
            CliProcess.Serve(second));
        await ServerProbe.WaitUntilLiveAsync(second, () => replica.HasExited, () => replica.Output);

        // Sign in on the first replica.
        var cookie = await fixture.SignInAsync(ScoringServerFixture.CareManager);

        // The other replica reads the same key ring from PostgreSQL, so the cookie signs the user in there too.
        using var other = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = second };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/worklist");
        request.Headers.Add("Cookie", cookie);
        using var response = await other.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await fixture.Database.ScalarAsync("SELECT count(*) FROM data_protection_keys") >= 1);
    }
}
