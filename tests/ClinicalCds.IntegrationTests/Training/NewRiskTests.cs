using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring.GetRuns;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Infrastructure.Models;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Training;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Training;

/// <summary>
/// A risk the product does not ship, defined here as a hospital's developer would: one <see cref="RiskDefinition"/> of its
/// own — not a subclass of a shipped risk — with its own outcome rule (an emergency return: an emergency-department
/// visit or an unplanned admission within 7 days of an inpatient discharge), its own inputs (some standard features and
/// one it defines itself), its own published reference (LACE) and configuration. Nothing else in the code knows it.
/// </summary>
public sealed class EmergencyReturnRisk : RiskDefinition
{
    /// <summary>The input this risk defines for itself: emergency visits and admissions in the months before, together.</summary>
    public static readonly FeatureDefinition PriorAcuteEncounters = FeatureDefinition.Computed(
        "PriorAcuteEncounters", "count", "Emergency visits in the 6 months and inpatient stays in the 12 months before admission, together", "Encounter.class, Encounter.period",
        f => f.EdVisitsPrior6Months + f.AdmissionsPrior12Months, words: new FeatureWords(FeatureValueKind.Count, "emergency visit{s} or admission{s} before"));

    private static readonly string[] Standard = ["AgeYears", "Female", "LengthOfStayDays", "EmergentAdmission", "CharlsonIndex", "HemoglobinGdl", "SodiumMmolL", "ActiveMedicationCount"];

    public override FeatureSet Inputs { get; } = new("edreturn-features/1", [.. Standard.Select(n => FeatureCatalog.Features.Single(f => f.Name == n)), PriorAcuteEncounters]);

    public override string Name => "edreturn7";

    public override RiskMoment Moment => RiskMoment.AtDischarge;

    public override TimeSpan Window => TimeSpan.FromDays(7);

    public override string Title => "7-day emergency return risk";

    public override string Phrase => "risk of an emergency return within 7 days";

    public override string Noun => "emergency return";

    public override string OutcomeDisplay => "Emergency department visit or unplanned admission within 7 days of discharge";

    public override string OutcomeDefinition => "An emergency department visit, or an emergent or urgent inpatient admission, starting within 7 days after an inpatient discharge; predicted at discharge.";

    public override string IntendedUse => "Test: flag discharges at raised risk of an early emergency return.";

    public override string TopicCode => "emergency-return-risk";

    public override string PublishedScoreUrl => "https://doi.org/10.1503/cmaj.091117";

    public override IReadOnlyList<(string Name, Func<ClinicalFeatures, ScoreResult> Score)> Baselines { get; } = [("LACE", f => Lace.Score(PublishedScores.LaceInputOf(f)))];

    public override IReadOnlyList<RecommendedAction> Actions { get; } = [new("Telephone the patient within 2 days", true, "Post-discharge telephone call", TimeSpan.FromDays(2))];

    public override string? DefaultIndicator(RiskTier tier) => tier == RiskTier.Low ? null : "warning";

    public override IEnumerable<OutcomeExample> Examples(PatientTimeline timeline, DateTimeOffset dataCutoff) =>
        IndexStays.Discharges(timeline)
            .Where(d => d.Discharge <= dataCutoff && !IndexStays.DiedIn(timeline, d.Stay))
            .Select(d => Outcome(timeline, d.Stay, d.Discharge, dataCutoff));

    public override OutcomeExample Outcome(PatientTimeline timeline, EncounterFact stay, DateTimeOffset instant, DateTimeOffset dataCutoff)
    {
        if (instant + Window > dataCutoff)
        {
            return new OutcomeExample(timeline.PatientId, stay, instant, null, null);
        }

        var back = timeline.Encounters.FirstOrDefault(e => e.Start > instant && e.Start <= instant + Window
            && (EncounterKinds.IsEmergency(e) || (EncounterKinds.IsInpatient(e) && EncounterKinds.IsEmergentAdmission(e, EncounterKinds.EdVisitLeadingTo(timeline.Encounters, e.Start!.Value)))));
        return new OutcomeExample(timeline.PatientId, stay, instant, back is not null, back?.EncounterId, back?.Start);
    }

    public override ScoreResult Reference(ClinicalFeatures features) => Lace.Score(PublishedScores.LaceInputOf(features));

    public override RiskExplanation Published(ClinicalFeatures features)
    {
        var lace = Reference(features);
        var tier = lace.RiskCategory switch { "high" => RiskTier.High, "moderate" => RiskTier.Moderate, _ => RiskTier.Low };
        return ScoreExplanations.FromPublished(this, features, lace, tier, $"{Phrase}: LACE {lace.Total} ({lace.RiskCategory})");
    }
}

/// <summary>The shipped readmission risk after a new input of its own: its shipped model must be refused, no other risk's.</summary>
public sealed class ReadmissionWithANewInput : ReadmissionRisk
{
    public override FeatureSet Inputs { get; } = FeatureCatalog.Standard.With("readmission-features/5-test", EmergencyReturnRisk.PriorAcuteEncounters);
}

/// <summary>
/// Issue 20 item 1 and issue 34 item 4, end to end: a third risk with its own outcome rule and inputs builds its dataset
/// from the store, trains, is written as a model package, is loaded by a real server given the definition — beside the
/// shipped models, which its new input does not disturb — and serves: on the encounter-discharge hook (configured to
/// answer with it), in a population run of a cohort configured for it, as FHIR RiskAssessments and on the worklist.
/// </summary>
public sealed class NewRiskTests(SyntheticStoreFixture store) : IClassFixture<SyntheticStoreFixture>, IDisposable
{
    private readonly string _models = Path.Combine(Path.GetTempPath(), $"clinicalcds-newrisk-{Guid.NewGuid():N}");
    private static readonly EmergencyReturnRisk Risk = new();

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
        // Dataset: the definition's outcome rule labels the rows, its inputs are the vectors. An emergency return is not a
        // readmission: some discharges come back to the emergency department without being readmitted within 30 days.
        var returns = await store.DatasetAsync(Risk);
        var readmissions = (await store.DatasetAsync(RiskCatalog.Readmission)).ToDictionary(r => (r.EncounterId, r.Instant));
        Assert.Contains(returns, r => r.Label == true);
        Assert.Contains(returns, r => r.Label == true && readmissions[(r.EncounterId, r.Instant)].Label == false);
        Assert.All(returns, r => Assert.Equal(("edreturn-features/1", 9), (r.Features.CatalogVersion, r.Features.Values.Count)));
        Assert.All(returns, r => Assert.Equal(["LACE"], r.Baselines.Keys));

        // Training: the card is the definition's, its features the risk's own.
        var trained = ModelTrainer.Train(Risk, returns, 5, "0.0.1-test", "test population", oracle: null, trees: 20, leaves: 4);
        Assert.Equal(("edreturn7", Risk.OutcomeDefinition, Risk.IntendedUse), (trained.Card.Name, trained.Card.Outcome, trained.Card.IntendedUse));
        Assert.Equal([.. Risk.Inputs.Names], trained.Card.Features.Select(f => f.Name));
        await new ModelPackage(trained.Card, trained.Onnx, trained.Trees, trained.Dependence).WriteAsync(Path.Combine(_models, Risk.Name, "0.0.1-test"), new Dictionary<string, string>(), CancellationToken.None);

        // Beside it, the shipped models: one risk's own inputs refuse no other risk's model.
        foreach (var shipped in new[] { RiskCatalog.Readmission.Name, RiskCatalog.Complication.Name })
        {
            CopyFolder(Path.Combine(Repository.Root, "models", shipped, Repository.ShippedVersion(shipped)), Path.Combine(_models, shipped, Repository.ShippedVersion(shipped)));
        }

        // A real server given the definition and configuration only.
        await using var api = await TestServer.StartAsync(store.Api.Database.ConnectionString,
        [
            $"--Models:Root={_models}",
            "--Models:GoLive:Required=false",
            "--Jobs:RunServerInApi=true",
            "--Jobs:QueuePollIntervalSeconds=1",
            $"--Scoring:AsOf={store.AsOf:O}",
            "--Scoring:Cohorts:recent7:Kind=DischargedWithin",
            "--Scoring:Cohorts:recent7:Days=7",
            "--Scoring:Cohorts:recent7:Models:0=edreturn7",
            "--CdsHooks:ServiceModels:readmission-risk=edreturn7",
            "--CdsHooks:RequireAuthentication=false",
            "--CdsHooks:StoreFallback=true",
            "--CdsHooks:ShowLowRisk=true",
        ], builder => builder.Services.AddSingleton(RiskCatalog.Default.With(Risk)));
        using var client = TestAdmin.Client(api.BaseUrl);

        // Loaded: the registry serves it and both shipped models, refusing none.
        var registry = api.Services.GetRequiredService<IRiskModels>();
        Assert.Equal(("0.0.1-test", Repository.ShippedVersion("readmission"), Repository.ShippedVersion("complication")),
            (registry.Find(Risk.Name)?.Card.Version, registry.Find("readmission")?.Card.Version, registry.Find("complication")?.Card.Version));
        Assert.Empty(registry.Refused);

        // The encounter-discharge hook answers with it: its model, its wording, its topic.
        var example = returns.First(r => r.Label is not null);
        var hook = new
        {
            hook = "encounter-discharge", hookInstance = Guid.NewGuid().ToString(),
            context = new { userId = "Practitioner/p1", patientId = example.PatientId, encounterId = example.EncounterId },
        };
        using (var response = await client.PostAsJsonAsync("/cds-services/readmission-risk", hook))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var card = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cards").EnumerateArray().Single();
            Assert.Equal("ClinicalCds — edreturn7 model 0.0.1-test", card.GetProperty("source").GetProperty("label").GetString());
            Assert.Equal("emergency-return-risk", card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString());
            Assert.Contains(Risk.Phrase, card.GetProperty("summary").GetString(), StringComparison.Ordinal);
        }

        // A population run of the cohort configured for it.
        using var requested = await client.PostAsJsonAsync("/admin/scoring/runs", new { cohort = "recent7", model = "edreturn7" });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var key = (await requested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestKey").GetString()!;
        var run = await WaitForRunAsync(api.Services, key);
        Assert.True(run.Scored > 0, $"no patient scored: {run.Scored} scored, {run.Skipped} skipped");

        // Its scores as FHIR RiskAssessments (its outcome over its window) and on its worklist.
        var worklist = await client.GetFromJsonAsync<JsonElement>("/api/worklist?model=edreturn7&pageSize=500");
        var rows = worklist.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(run.Scored, rows.Count);
        Assert.All(rows, r => Assert.Equal("edreturn7", r.GetProperty("model").GetString()));
        var patient = rows[0].GetProperty("patientId").GetString();
        var bundle = await client.GetFromJsonAsync<JsonElement>($"/fhir/RiskAssessment?patient={patient}&model=edreturn7");
        var assessment = bundle.GetProperty("entry").EnumerateArray().First().GetProperty("resource");
        Assert.Equal("edreturn7 model 0.0.1-test", assessment.GetProperty("method").GetProperty("coding")[0].GetProperty("code").GetString());
        var prediction = assessment.GetProperty("prediction")[0];
        var outcome = prediction.GetProperty("outcome");
        Assert.Equal(("edreturn7", Risk.OutcomeDisplay), (outcome.GetProperty("coding")[0].GetProperty("code").GetString(), outcome.GetProperty("text").GetString()));
        var when = prediction.GetProperty("whenPeriod");
        Assert.Equal(TimeSpan.FromDays(7), DateTimeOffset.Parse(when.GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(when.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_new_input_for_one_risk_refuses_that_risks_model_only()
    {
        // The readmission risk gains an input: its shipped model (trained without it) is refused, with the reason; the
        // deterioration model, whose risk's inputs did not change, still loads.
        var changed = new RiskCatalog([new ReadmissionWithANewInput(), RiskCatalog.Complication, Risk]);
        var shipped = Path.Combine(Repository.Root, "models");
        var (readmission, refusal) = OnnxModelRegistry.Load(Path.Combine(shipped, "readmission", Repository.ShippedVersion("readmission")), changed);
        Assert.Null(readmission);
        Assert.Contains("are not this server's inputs of readmission (feature catalog readmission-features/5-test, 83)", refusal, StringComparison.Ordinal);
        var (complication, error) = OnnxModelRegistry.Load(Path.Combine(shipped, "complication", Repository.ShippedVersion("complication")), changed);
        using (complication)
        {
            Assert.True(complication is not null, error);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
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
