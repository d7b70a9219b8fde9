using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring.GetRuns;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Infrastructure.Models;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Training;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Training;

/// <summary>
/// A risk the product does not ship, defined here as a hospital's developer would: one <see cref="RiskDefinition"/>
/// (the readmission outcome rule with a 7-day window) and configuration. Nothing else in the code knows it.
/// </summary>
public sealed class SevenDayReadmission : ReadmissionRisk
{
    public override string Name => "readmission7";

    public override TimeSpan Window => TimeSpan.FromDays(7);

    public override string Title => "7-day readmission risk";

    public override string Phrase => "7-day readmission risk";

    public override string OutcomeDisplay => "Unplanned inpatient readmission within 7 days of discharge";

    public override string OutcomeDefinition => "Unplanned (emergent or urgent) inpatient admission starting within 7 days after an inpatient discharge; predicted at discharge.";

    public override string IntendedUse => "Test: flag discharges at raised risk of early readmission.";

    public override string TopicCode => "readmission-7-day-risk";
}

/// <summary>
/// Issue 20 item 1, end to end: the third risk builds its dataset from the store, trains, is written as a model package,
/// is loaded by a real server given the definition, and serves — on the encounter-discharge hook (configured to answer
/// with it), in a population run of a cohort configured for it, as FHIR RiskAssessments and on the worklist.
/// </summary>
public sealed class NewRiskTests(SyntheticStoreFixture store) : IClassFixture<SyntheticStoreFixture>, IDisposable
{
    private readonly string _models = Path.Combine(Path.GetTempPath(), $"clinicalcds-newrisk-{Guid.NewGuid():N}");
    private static readonly SevenDayReadmission Risk = new();

    public void Dispose()
    {
        if (Directory.Exists(_models))
        {
            Directory.Delete(_models, recursive: true);
        }
    }

    [Fact]
    public async Task A_risk_defined_outside_the_product_builds_its_dataset_trains_loads_and_serves_end_to_end()
    {
        // Dataset: the definition's outcome rule labels the rows; a 7-day readmission is a 30-day one, never the reverse.
        var sevenDay = await store.DatasetAsync(Risk);
        var thirtyDay = (await store.DatasetAsync(RiskCatalog.Readmission)).ToDictionary(r => (r.EncounterId, r.Instant));
        Assert.Contains(sevenDay, r => r.Label == true);
        Assert.All(sevenDay.Where(r => r.Label == true), r => Assert.True(thirtyDay[(r.EncounterId, r.Instant)].Label != false));
        Assert.True(sevenDay.Count(r => r.Label == true) < thirtyDay.Values.Count(r => r.Label == true));
        Assert.All(sevenDay, r => Assert.Equal(["HOSPITAL", "LACE"], r.Baselines.Keys.Order(StringComparer.Ordinal)));

        // Training: the card is the definition's.
        var trained = ModelTrainer.Train(Risk, sevenDay, 5, "0.0.1-test", "test population", oracle: null, trees: 20, leaves: 4);
        Assert.Equal(("readmission7", Risk.OutcomeDefinition, Risk.IntendedUse), (trained.Card.Name, trained.Card.Outcome, trained.Card.IntendedUse));
        await new ModelPackage(trained.Card, trained.Onnx, trained.Trees, trained.Dependence).WriteAsync(Path.Combine(_models, Risk.Name, "0.0.1-test"), new Dictionary<string, string>(), CancellationToken.None);

        // A real server given the definition and configuration only.
        var baseUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        await using var api = WebApp.Build(
        [
            $"--urls={baseUrl}",
            $"--CdsHooks:PublicBaseUrl={baseUrl}",
            $"--ConnectionStrings:ClinicalCds={store.Api.Database.ConnectionString}",
            $"--Models:Root={_models}",
            "--Models:GoLive:Required=false",
            "--Jobs:RunServerInApi=true",
            "--Jobs:QueuePollIntervalSeconds=1",
            $"--Scoring:AsOf={store.AsOf:O}",
            "--Scoring:Cohorts:recent7:Kind=DischargedWithin",
            "--Scoring:Cohorts:recent7:Days=7",
            "--Scoring:Cohorts:recent7:Models:0=readmission7",
            "--CdsHooks:ServiceModels:readmission-risk=readmission7",
            "--CdsHooks:RequireAuthentication=false",
            "--CdsHooks:StoreFallback=true",
            "--CdsHooks:ShowLowRisk=true",
            TestAdmin.Setting,
            "--Logging:LogLevel:Default=Warning",
        ], builder => builder.Services.AddSingleton(RiskCatalog.Default.With(Risk)));
        await api.StartAsync();
        using var client = TestAdmin.Client(baseUrl);

        // Loaded: the registry serves it (the shipped models are absent from this models folder, so health is degraded).
        using (var ready = await client.GetAsync("/health/ready"))
        {
            Assert.Contains("readmission7 0.0.1-test", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The encounter-discharge hook answers with it: its model, its wording, its topic.
        var example = sevenDay.First(r => r.Label is not null);
        var hook = new
        {
            hook = "encounter-discharge", hookInstance = Guid.NewGuid().ToString(),
            context = new { userId = "Practitioner/p1", patientId = example.PatientId, encounterId = example.EncounterId },
        };
        using (var response = await client.PostAsJsonAsync("/cds-services/readmission-risk", hook))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var card = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cards").EnumerateArray().Single();
            Assert.Equal("ClinicalCds — readmission7 model 0.0.1-test", card.GetProperty("source").GetProperty("label").GetString());
            Assert.Equal("readmission-7-day-risk", card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString());
            Assert.Contains("7-day readmission risk", card.GetProperty("summary").GetString(), StringComparison.Ordinal);
        }

        // A population run of the cohort configured for it.
        using var requested = await client.PostAsJsonAsync("/admin/scoring/runs", new { cohort = "recent7", model = "readmission7" });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var key = (await requested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestKey").GetString()!;
        var run = await WaitForRunAsync(api.Services, key);
        Assert.True(run.Scored > 0, $"no patient scored: {run.Scored} scored, {run.Skipped} skipped");

        // Its scores as FHIR RiskAssessments (its outcome over its window) and on its worklist.
        var worklist = await client.GetFromJsonAsync<JsonElement>("/api/worklist?model=readmission7&pageSize=500");
        var rows = worklist.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(run.Scored, rows.Count);
        Assert.All(rows, r => Assert.Equal("readmission7", r.GetProperty("model").GetString()));
        var patient = rows[0].GetProperty("patientId").GetString();
        var bundle = await client.GetFromJsonAsync<JsonElement>($"/fhir/RiskAssessment?patient={patient}&model=readmission7");
        var assessment = bundle.GetProperty("entry").EnumerateArray().First().GetProperty("resource");
        Assert.Equal("readmission7 model 0.0.1-test", assessment.GetProperty("method").GetProperty("coding")[0].GetProperty("code").GetString());
        var prediction = assessment.GetProperty("prediction")[0];
        var outcome = prediction.GetProperty("outcome");
        Assert.Equal(("readmission7", Risk.OutcomeDisplay), (outcome.GetProperty("coding")[0].GetProperty("code").GetString(), outcome.GetProperty("text").GetString()));
        var when = prediction.GetProperty("whenPeriod");
        Assert.Equal(TimeSpan.FromDays(7), DateTimeOffset.Parse(when.GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(when.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<RunSummary> WaitForRunAsync(IServiceProvider services, string requestKey)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GetRunsQuery(RequestKey: requestKey)) is [{ IsFinished: true } run])
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The run of {requestKey} did not finish in time.");
            await Task.Delay(200);
        }
    }
}
