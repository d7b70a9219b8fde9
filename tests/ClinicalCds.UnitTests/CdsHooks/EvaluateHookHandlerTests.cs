using ClinicalCds.Domain.Models;
using ClinicalCds.Domain.Risks;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Application.CdsHooks.EvaluateHook;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.UnitTests.Features;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.CdsHooks;

public sealed class EvaluateHookHandlerTests
{
    private sealed class UnreachableFhirServer : IFhirServerClient
    {
        public int Calls;

        public async IAsyncEnumerable<FhirFetch> FetchPagesAsync(Uri fhirServer, bool listed, string? accessToken, string relativeQuery, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            await Task.Yield();
            yield return new FhirFetch([], "the fhirServer could not be reached");
        }
    }

    private sealed class Store(PatientTimeline? timeline) : IPatientTimelineReader
    {
        public async IAsyncEnumerable<PatientTimeline> ReadAsync(IReadOnlyList<string> patientIds, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (timeline is not null && patientIds.Contains(timeline.PatientId))
            {
                yield return timeline;
            }
        }

        public IAsyncEnumerable<PatientTimeline> ReadAllAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>What the pipeline's recording step was given for each call: the audit row, the served score, the cards.</summary>
    private sealed class Cards : ICdsStore
    {
        public List<IssuedCard> Issued { get; } = [];
        public List<HookScore> Scores { get; } = [];
        public List<HookAudit> Audits { get; } = [];

        public Task RecordCallAsync(HookAudit audit, HookScore? served, IReadOnlyList<IssuedCard> cards, CancellationToken cancellationToken)
        {
            Audits.Add(audit);
            Scores.AddRange(served is null ? [] : [served]);
            Issued.AddRange(cards);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyDictionary<Guid, CardOffer>> OffersAsync(IReadOnlyCollection<Guid> uuids, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<Guid, CardOffer>>(Issued.Where(c => uuids.Contains(c.Uuid))
                .ToDictionary(c => c.Uuid, c => new CardOffer(c.ServiceId, c.SuggestionIds.ToHashSet(), c.OverrideReasons.ToHashSet())));

        public Task<FeedbackStored> RecordFeedbackAsync(IReadOnlyList<FeedbackRecord> feedback, CancellationToken cancellationToken) =>
            Task.FromResult(new FeedbackStored(0, []));
    }

    private sealed class Models(IRiskModel? readmission, IRiskModel? candidate = null) : IRiskModels
    {
        public IRiskModel? Find(string name) => name == "readmission" ? readmission : null;

        public IRiskModel? Candidate(string name) => name == "readmission" ? candidate : null;

        public IReadOnlyList<string> Refused => [];
    }

    /// <summary>The served versions: every loaded version live here unless <paramref name="live"/> says which are.</summary>
    private sealed class Serving(IRiskModels models, IReadOnlyList<string>? live) : IModelServing
    {
        public ServedVersions Versions(string name)
        {
            var active = models.Find(name)?.Card.Version;
            return new ServedVersions(name, active, null, active is null ? [] : [active], new ServingState(active, [], []) { Live = live ?? (active is null ? [] : [active]) });
        }

        public void Change(string name, ServingState state) => throw new NotSupportedException();
    }

    /// <summary>
    /// A model of three stumps, evaluated here: 42% for the high-risk patient below, driven by prior admissions (+0.8),
    /// hemoglobin (+0.3) and age (−0.1) in log-odds.
    /// </summary>
    private static readonly CardEstimate None = new(double.NaN, double.NaN, double.NaN);

    private static readonly CardMetrics NoMetrics = new(0, 0, 0, None, None, None, None, None, None, [], [], "none");

    private sealed class FixedModel : IRiskModel
    {
        private static readonly List<string> Names = [.. FeatureCatalog.Features.Select(f => f.Name)];

        public ModelCard Card { get; } = new(
            "readmission", "9.9.9", "test", "test", FeatureCatalog.Version, "Features", "Score.output", "test",
            [.. FeatureCatalog.Features.Select(f => new CardFeature(f.Name, f.Unit, f.Definition, 0, 0, 1, []))], "test",
            new Dictionary<string, object>(), new CardCalibration("platt", 0, 1, "test"),
            NoMetrics, [], null, [], new CardTiers(0.2, 0.4, "test"), "x", "test");

        public TreeEnsemble Trees { get; } = new(
            Math.Log(0.42 / 0.58) - 1.0,
            [Stump("AdmissionsPrior12Months", 1.5, -0.8, 0.8), Stump("HemoglobinGdl", 12, 0.3, -0.3), Stump("AgeYears", 65, 0.1, -0.1)]);

        public double[] RawScores(IReadOnlyList<float[]> rows) => [.. rows.Select(r => Trees.Predict(Array.ConvertAll(r, v => (double)v)))];

        private static RegressionTree Stump(string feature, double threshold, double left, double right) =>
            new([Names.IndexOf(feature)], [threshold], [~0], [~1], [left, right], [2], [1, 1], 1);
    }

    /// <summary>One stump on hemoglobin (10 g/dL): log-odds +1.5 below, −4.5 above; hemoglobin's reference is half 8, half 12.</summary>
    private sealed class HemoglobinModel : IRiskModel
    {
        private static readonly List<string> Names = [.. FeatureCatalog.Features.Select(f => f.Name)];

        public ModelCard Card { get; } = new(
            "readmission", "9.9.9", "test", "test", FeatureCatalog.Version, "Features", "Score.output", "test",
            [.. FeatureCatalog.Features.Select(f => new CardFeature(f.Name, f.Unit, f.Definition, 0, 0, 1,
                f.Name == "HemoglobinGdl" ? [.. Enumerable.Repeat(8.0, 10), .. Enumerable.Repeat(12.0, 10)] : []))], "test",
            new Dictionary<string, object>(), new CardCalibration("platt", 0, 1, "test"),
            NoMetrics, [], null, [], new CardTiers(0.2, 0.4, "test"), "x", "test");

        public TreeEnsemble Trees { get; } = new(-1.5, [new RegressionTree([Names.IndexOf("HemoglobinGdl")], [10], [~0], [~1], [3, -3], [2], [1, 1], 1)]);

        public double[] RawScores(IReadOnlyList<float[]> rows) => [.. rows.Select(r => Trees.Predict(Array.ConvertAll(r, v => (double)v)))];
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    // An 80-year-old admitted as an emergency for 9 days, 6 prior admissions, hemoglobin 9.5:
    // HOSPITAL Hb 1 + emergent 1 + admissions 5 + LOS 2 = 9 (high); LACE LOS 5 + acute 3 = 8.
    private static PatientTimeline HighRiskPatient()
    {
        List<ProjectedFacts> facts =
        [
            new(Patient: Patient("1946-01-01")),
            new(Encounter: Stay("stay", "2026-03-01T08:00:00Z", "2026-03-10T10:00:00Z", priority: "EM")),
            new(Observations: [Lab("hb", Loinc.HemoglobinMassBlood, 9.5, "g/dL", "2026-03-09T08:00:00Z")]),
        ];
        facts.AddRange(Enumerable.Range(1, 6).Select(i =>
            new ProjectedFacts(Encounter: Stay($"prior{i}", $"2025-0{i + 2}-01T08:00:00Z", $"2025-0{i + 2}-03T08:00:00Z"))));
        return PatientTimeline.Create(Facts.PatientId, facts);
    }

    private static JsonElement Request(string? fhirServer) => JsonSerializer.SerializeToElement(new Dictionary<string, object?>
    {
        ["hook"] = "encounter-discharge",
        ["hookInstance"] = "h-1",
        ["fhirServer"] = fhirServer,
        ["context"] = new Dictionary<string, string> { ["userId"] = "Practitioner/1", ["patientId"] = Facts.PatientId, ["encounterId"] = "stay" },
    });

    /// <summary>The use case as the mediator runs it: the handler inside its audit step.</summary>
    private sealed class AuditedHandler(EvaluateHookHandler handler, HookAuditBehavior<EvaluateHookCommand> audit)
    {
        public ValueTask<CdsAnswer> Handle(EvaluateHookCommand command, CancellationToken cancellationToken) =>
            audit.Handle(command, (message, ct) => handler.Handle(message, ct), cancellationToken);
    }

    private static (AuditedHandler Handler, Cards Cards, UnreachableFhirServer Server) Handler(
        bool storeFallback, PatientTimeline? stored, Action<CdsHooksOptions>? configure = null, IRiskModel? model = null, IRiskModel? candidate = null,
        IReadOnlyList<string>? live = null, bool goLiveRequired = true)
    {
        var cards = new Cards();
        var server = new UnreachableFhirServer();
        var options = new CdsHooksOptions { StoreFallback = storeFallback, PublicBaseUrl = "https://cds.example.org/" };
        configure?.Invoke(options);
        var clock = new FixedClock(At("2026-03-10T12:00:00Z"));
        return (new AuditedHandler(new EvaluateHookHandler(server, new Store(stored), new Models(model, candidate), new Serving(new Models(model, candidate), live), new GoLiveOptions { Required = goLiveRequired }, options, new ServiceRisks(options, RiskCatalog.Default), Terminology.None, new ClinicalCds.Application.Scoring.ScoringOptions(), clock), new HookAuditBehavior<EvaluateHookCommand>(cards, new ClinicalCds.Api.CdsHooks.CdsCallStatus(), clock)), cards, server);
    }

    [Fact]
    public async Task With_store_fallback_an_unreachable_fhirServer_falls_back_to_the_patients_record_in_the_store()
    {
        var (handler, cards, server) = Handler(storeFallback: true, HighRiskPatient());

        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request("https://ehr.example.org/fhir"), "https://ehr.test/"), default);

        Assert.Null(result.Failure);
        var card = JsonDocument.Parse(Json(result)).RootElement.GetProperty("cards")[0];
        Assert.Equal("High 30-day readmission risk: HOSPITAL score 9 (high), LACE 8", card.GetProperty("summary").GetString());
        Assert.Equal("warning", card.GetProperty("indicator").GetString());
        Assert.Equal("https://cds.example.org/worklist/patients/p1", card.GetProperty("links")[0].GetProperty("url").GetString());
        Assert.Equal(6, server.Calls); // every prefetch key was tried first
        Assert.Equal(card.GetProperty("uuid").GetGuid(), Assert.Single(cards.Issued).Uuid);
        Assert.Equal((200, "card warning", "https://ehr.test/"), (cards.Audits.Single().Status, cards.Audits.Single().Outcome, cards.Audits.Single().ClientId));
    }

    [Fact]
    public async Task Indicators_follow_the_configured_tier_map_and_a_configured_SMART_app_is_linked()
    {
        var (handler, _, _) = Handler(storeFallback: true, HighRiskPatient(), options =>
        {
            options.Indicators["Readmission.High"] = "critical";
            options.SmartLaunchUrl = "https://apps.example.org/clinicalcds/launch";
        });

        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default);

        var card = JsonDocument.Parse(Json(result)).RootElement.GetProperty("cards")[0];
        Assert.Equal("critical", card.GetProperty("indicator").GetString());
        var smart = card.GetProperty("links")[1];
        Assert.Equal(("smart", "https://apps.example.org/clinicalcds/launch"), (smart.GetProperty("type").GetString(), smart.GetProperty("url").GetString()));
        Assert.Equal("""{"patientId":"p1","encounterId":"stay"}""", smart.GetProperty("appContext").GetString());
    }

    [Fact]
    public async Task A_loaded_model_drives_the_card_with_its_probability_tier_and_factors_and_the_score_stays_as_reference()
    {
        var model = new FixedModel();
        var (handler, _, _) = Handler(storeFallback: true, HighRiskPatient(), model: model);

        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default);

        var card = JsonDocument.Parse(Json(result)).RootElement.GetProperty("cards")[0];
        Assert.Equal("High 30-day readmission risk: 42%", card.GetProperty("summary").GetString());
        Assert.Equal("ClinicalCds — readmission model 9.9.9", card.GetProperty("source").GetProperty("label").GetString());
        Assert.Equal("https://cds.example.org/models/readmission", card.GetProperty("source").GetProperty("url").GetString());
        var detail = card.GetProperty("detail").GetString()!;
        Assert.Contains("- 6 admissions in the prior 12 months — raises risk\n- Hemoglobin 9.5 g/dL (measured 26 hours before discharge) — raises risk\n- Age 80 years — lowers risk", detail, StringComparison.Ordinal);
        Assert.Contains("For reference, HOSPITAL 9 (high)", detail, StringComparison.Ordinal);
    }

    /// <summary>A model under another version number: a candidate beside the active one.</summary>
    private sealed class Versioned(IRiskModel model, string version) : IRiskModel
    {
        public ModelCard Card { get; } = model.Card with { Version = version };

        public TreeEnsemble Trees => model.Trees;

        public double[] RawScores(IReadOnlyList<float[]> rows) => model.RawScores(rows);
    }

    [Fact]
    public async Task A_candidate_version_is_scored_beside_the_active_one_on_the_same_inputs_and_kept_but_never_shown()
    {
        var (handler, cards, _) = Handler(storeFallback: true, HighRiskPatient(), model: new FixedModel(), candidate: new Versioned(new HemoglobinModel(), "10.0.0"));

        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default);

        // The card is the active version's (42%); the candidate's 82% (hemoglobin 9.5 g/dL) is nowhere in the answer.
        var json = System.Text.Encoding.UTF8.GetString(Json(result));
        var card = JsonDocument.Parse(json).RootElement.GetProperty("cards")[0];
        Assert.Equal("High 30-day readmission risk: 42%", card.GetProperty("summary").GetString());
        Assert.DoesNotContain("10.0.0", json, StringComparison.Ordinal);
        Assert.DoesNotContain("82%", json, StringComparison.Ordinal);

        var shadow = Assert.Single(cards.Scores);
        Assert.Equal(("readmission", "p1", "stay", "h-1"), (shadow.Model, shadow.PatientId, shadow.EncounterId, shadow.HookInstance));
        Assert.Equal(("readmission model 10.0.0", "high"), (shadow.Candidate!.Method, shadow.Candidate.Tier));
        Assert.Equal(1 / (1 + Math.Exp(-1.5)), shadow.Candidate.Probability, 12);
        Assert.Equal(("readmission model 9.9.9", "high"), (shadow.ActiveMethod, shadow.ActiveTier));
        Assert.Equal(0.42, shadow.ActiveProbability!.Value, 6);
        Assert.Equal(9.5, shadow.Inputs[FeatureCatalog.Features.ToList().FindIndex(f => f.Name == "HemoglobinGdl")]!.Value, 6);
    }

    [Fact]
    public async Task The_active_models_score_behind_a_card_is_kept_for_monitoring_and_a_published_scores_answer_is_not()
    {
        var (handler, cards, _) = Handler(storeFallback: true, HighRiskPatient(), model: new FixedModel());
        await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default);

        var served = Assert.Single(cards.Scores);
        Assert.Null(served.Candidate);
        Assert.Equal(("readmission", "p1", "stay", "readmission model 9.9.9", "high"), (served.Model, served.PatientId, served.EncounterId, served.ActiveMethod, served.ActiveTier));
        Assert.Equal(0.42, served.ActiveProbability!.Value, 6);
        Assert.Equal(FeatureCatalog.Features.Count, served.Inputs.Count);

        // No model loaded: HOSPITAL answers, with no probability for the monitoring to judge.
        var (published, publishedCards, _) = Handler(storeFallback: true, HighRiskPatient());
        await published.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default);
        Assert.Single(publishedCards.Issued);
        Assert.Empty(publishedCards.Scores);
    }

    [Fact]
    public async Task A_model_version_not_live_here_runs_silent_its_score_recorded_and_the_published_score_on_the_card()
    {
        // Issue 32 item 3: readmission 9.9.9 has not gone live at this site.
        var (handler, cards, _) = Handler(storeFallback: true, HighRiskPatient(), model: new FixedModel(), live: []);
        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default);

        // Scored and kept for monitoring as if it were live ...
        var served = Assert.Single(cards.Scores);
        Assert.Equal(("readmission model 9.9.9", 0.42), (served.ActiveMethod, Math.Round(served.ActiveProbability!.Value, 6)));
        // ... but the card is the published score's (HOSPITAL 9, high), saying why; the model's 42 % is nowhere on it.
        var card = JsonDocument.Parse(Json(result)).RootElement.GetProperty("cards")[0];
        Assert.Equal("High 30-day readmission risk: HOSPITAL score 9 (high), LACE 8", card.GetProperty("summary").GetString());
        Assert.Contains("Readmission 9.9.9 has not gone live here", card.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("42%", card.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("(published score; readmission 9.9.9 has not gone live here", Assert.Single(cards.Audits).Outcome, StringComparison.Ordinal);

        // Live, the model answers.
        var (liveHandler, _, _) = Handler(storeFallback: true, HighRiskPatient(), model: new FixedModel(), live: ["9.9.9"]);
        var answered = JsonDocument.Parse(Json(await liveHandler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default))).RootElement;
        Assert.Contains("42%", answered.GetProperty("cards")[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("gone live", answered.GetProperty("cards")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);

        // With the gate turned off (a demonstration), the model answers and its card says it was not validated here.
        var (demo, _, _) = Handler(storeFallback: true, HighRiskPatient(), model: new FixedModel(), live: [], goLiveRequired: false);
        var shown = JsonDocument.Parse(Json(await demo.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default))).RootElement.GetProperty("cards")[0];
        Assert.Contains("42%", shown.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("Go-live gate off (Models:GoLive:Required is false, a demonstration): readmission 9.9.9 has not gone live here", shown.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_inputs_that_decide_it_the_answer_is_an_info_card_saying_insufficient_data_not_a_tier()
    {
        // A model decided by hemoglobin alone: 82% at 8 g/dL, 1% at 12 g/dL; half its reference values each.
        var model = new HemoglobinModel();
        var withoutHemoglobin = PatientTimeline.Create(Facts.PatientId,
            [new(Patient: Patient("1946-01-01")), new(Encounter: Stay("stay", "2026-03-01T08:00:00Z", "2026-03-10T10:00:00Z", priority: "EM"))]);
        var (handler, _, _) = Handler(storeFallback: true, withoutHemoglobin, model: model);

        var card = JsonDocument.Parse(Json(await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default)))
            .RootElement.GetProperty("cards")[0];

        Assert.Equal("info", card.GetProperty("indicator").GetString());
        Assert.Equal("Insufficient data to estimate 30-day readmission risk: hemoglobin not recorded", card.GetProperty("summary").GetString());
        Assert.False(card.TryGetProperty("suggestions", out _));
        var detail = card.GetProperty("detail").GetString()!;
        Assert.Contains("could be anywhere from 1% (low) to 82% (high), so no tier is given", detail, StringComparison.Ordinal);
        Assert.Contains("- Hemoglobin: 1% to 82%", detail, StringComparison.Ordinal);
        // The store answered because the request brought no data and no fhirServer: the card says so.
        Assert.Contains("**Data:** from the ClinicalCds store (its last import), not the EHR's", detail, StringComparison.Ordinal);

        // With hemoglobin recorded the same model gives a tier.
        var (recorded, _, _) = Handler(storeFallback: true, HighRiskPatient(), model: model);
        var tiered = JsonDocument.Parse(Json(await recorded.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default)))
            .RootElement.GetProperty("cards")[0];
        Assert.Equal("High 30-day readmission risk: 82%", tiered.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task Encounter_discharge_for_a_stay_still_open_is_the_discharge_being_made_now_and_is_judged_now()
    {
        // Admitted on 1 March, no discharge recorded yet; the clock reads 10 March 12:00.
        var open = PatientTimeline.Create(Facts.PatientId,
            [new(Patient: Patient("1946-01-01")), new(Encounter: Stay("stay", "2026-03-01T08:00:00Z", null, priority: "EM"))]);
        var (handler, _, _) = Handler(storeFallback: true, open, options => options.ShowLowRisk = true);

        var card = JsonDocument.Parse(Json(await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default)))
            .RootElement.GetProperty("cards")[0];

        var detail = card.GetProperty("detail").GetString()!;
        Assert.Contains("as of 2026-03-10 12:00 UTC", detail, StringComparison.Ordinal);
        Assert.Contains("Length of stay ≥ 5 days: 9 days (+2)", detail, StringComparison.Ordinal); // 1 to 10 March, calendar days
    }

    [Fact]
    public async Task Deterioration_risk_is_not_answered_for_a_patient_in_intensive_care_and_the_audit_says_why()
    {
        var inIcu = PatientTimeline.Create(Facts.PatientId,
            [new(Patient: Patient("1946-01-01")), new(Encounter: Stay("stay", "2026-03-09T08:00:00Z", null, priority: "EM", icu: true))]);
        var (handler, cards, _) = Handler(storeFallback: true, inIcu, options => options.ShowLowRisk = true);
        var request = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["hook"] = "encounter-start",
            ["hookInstance"] = "h-2",
            ["context"] = new Dictionary<string, string> { ["userId"] = "Practitioner/1", ["patientId"] = Facts.PatientId, ["encounterId"] = "stay" },
        });

        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Deterioration, request, null), default);

        Assert.Null(result.Failure);
        Assert.Equal(0, JsonDocument.Parse(Json(result)).RootElement.GetProperty("cards").GetArrayLength());
        Assert.Equal($"no card: {RiskTargets.AfterDeterioration}", cards.Audits.Single().Outcome);
    }

    [Fact]
    public async Task The_RiskAssessment_filed_from_a_card_carries_its_missing_data_caveat()
    {
        // Issue 31 item 5: what the card says was not recorded travels with the assessment the EHR files.
        var withoutHemoglobin = PatientTimeline.Create(Facts.PatientId,
            [new(Patient: Patient("1946-01-01")), new(Encounter: Stay("stay", "2026-03-01T08:00:00Z", "2026-03-10T10:00:00Z", priority: "EM"))]);
        var (handler, _, _) = Handler(storeFallback: true, withoutHemoglobin, options => options.SystemActions = true, model: new HemoglobinModel());

        var answer = JsonDocument.Parse(Json(await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default))).RootElement;

        var resource = Assert.Single(answer.GetProperty("systemActions").EnumerateArray()).GetProperty("resource");
        var assessment = Assert.IsType<Hl7.Fhir.Model.RiskAssessment>(
            ClinicalCds.Fhir.FhirJson.TryParse(System.Text.Encoding.UTF8.GetBytes(resource.GetRawText()), out _), exactMatch: false);
        Assert.Contains("Not recorded: 1 of the model's", assessment.Note.Single().Text, StringComparison.Ordinal);
        Assert.Null(assessment.Prediction.Single().QualitativeRisk); // insufficient data: no tier filed
    }

    [Fact]
    public async Task With_system_actions_on_the_answer_creates_the_RiskAssessment_of_the_card_and_without_them_has_none()
    {
        var (handler, _, _) = Handler(storeFallback: true, HighRiskPatient(), options => options.SystemActions = true, model: new FixedModel());
        var (plain, _, _) = Handler(storeFallback: true, HighRiskPatient(), model: new FixedModel());

        var answer = JsonDocument.Parse(Json(await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default))).RootElement;
        var plainAnswer = JsonDocument.Parse(Json(await plain.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default))).RootElement;

        var action = Assert.Single(answer.GetProperty("systemActions").EnumerateArray());
        Assert.Equal("create", action.GetProperty("type").GetString());
        var resource = action.GetProperty("resource");
        var assessment = Assert.IsType<Hl7.Fhir.Model.RiskAssessment>(
            ClinicalCds.Fhir.FhirJson.TryParse(System.Text.Encoding.UTF8.GetBytes(resource.GetRawText()), out var errors), exactMatch: false);
        Assert.Empty(errors);
        Assert.Null(assessment.Id); // the EHR assigns it
        Assert.Equal(("Patient/p1", "Encounter/stay"), (assessment.Subject!.Reference, assessment.Encounter!.Reference));
        var prediction = Assert.Single(assessment.Prediction);
        Assert.Equal(0.42m, Assert.IsType<Hl7.Fhir.Model.FhirDecimal>(prediction.Probability).Value);
        Assert.Equal("high", prediction.QualitativeRisk!.Coding.Single().Code);
        Assert.Equal("readmission", prediction.Outcome!.Coding.Single().Code);
        Assert.Contains("6 admissions in the prior 12 months", assessment.Note.Single().Text, StringComparison.Ordinal);
        Assert.False(plainAnswer.TryGetProperty("systemActions", out _));
        Assert.Equal(1, plainAnswer.GetProperty("cards").GetArrayLength());
    }

    [Fact]
    public async Task A_tier_mapped_to_none_shows_no_card()
    {
        var (handler, cards, _) = Handler(storeFallback: true, HighRiskPatient(), options => options.Indicators["Readmission.High"] = "none");
        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default);
        Assert.Equal("""{"cards":[]}""", System.Text.Encoding.UTF8.GetString(Json(result)));
        Assert.Empty(cards.Issued);
        // The audit row says why there is no card (issue 33 item 8).
        Assert.Equal("no card: high readmission risk, no card at that tier (CdsHooks:Indicators)", cards.Audits.Single().Outcome);
    }

    [Fact]
    public async Task Without_store_fallback_the_same_call_is_412_and_issues_no_card()
    {
        var (handler, cards, _) = Handler(storeFallback: false, HighRiskPatient());

        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request("https://ehr.example.org/fhir"), null), default);

        Assert.Equal(CdsFailure.DataUnavailable, result.Failure);
        Assert.Equal(412, cards.Audits.Single().Status);
        Assert.Empty(cards.Issued);
    }

    [Fact]
    public async Task An_encounter_the_data_does_not_hold_is_412()
    {
        var (handler, _, _) = Handler(storeFallback: true, stored: null);
        var result = await handler.Handle(new EvaluateHookCommand(CdsServices.Readmission, Request(null), null), default);
        Assert.Equal(CdsFailure.DataUnavailable, result.Failure);
        Assert.Contains(result.Problems, p => p.Contains("Encounter/stay", StringComparison.Ordinal));
    }

    /// <summary>The answer's body as the endpoint sends it.</summary>
    private static byte[] Json(CdsAnswer answer) => JsonSerializer.SerializeToUtf8Bytes(answer.Body, CdsJson.Options);
}
