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
        Assert.StartsWith("/account/login", admin.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

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
            "serve", "--urls", second.ToString());
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
