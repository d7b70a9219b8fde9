using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models;

namespace ClinicalCds.UnitTests.Models;

/// <summary>When a model version may show cards at a site (issue 32 item 3).</summary>
public sealed class GoLiveTests
{
    private static CardEstimate At(double value) => new(value, value - 0.1, value + 0.1);

    private static CardExternalEvaluation Evaluation(string data, int events, double calibrationInTheLarge, double slope) => new(
        data, DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        new CardMetrics(10 * events, 5 * events, events, At(0.7), At(0.3), At(0.1), At(calibrationInTheLarge), At(slope), At(0.05), [], [], "bootstrap"),
        [], "summary");

    private static ModelCard Card(params CardExternalEvaluation[] evaluations) => new(
        "readmission", "1.0.0", "test", "test", "catalog", "Features", "Score.output", "test", [], "test", new Dictionary<string, object>(),
        new CardCalibration("platt", 0, 1, "test"), Evaluation("test split", 100, 0, 1).Metrics, [], null, [], new CardTiers(0.2, 0.4, "test"), "x", "test")
    {
        ExternalEvaluations = evaluations,
    };

    [Fact]
    public void A_local_evaluation_meets_the_minimums_with_100_events_calibration_in_the_large_within_0_2_and_slope_within_0_8_to_1_2()
    {
        var options = new GoLiveOptions();
        Assert.Empty(GoLive.Shortfalls(Evaluation("St Elsewhere 2025", 100, -0.2, 0.8), options));
        Assert.Empty(GoLive.Shortfalls(Evaluation("St Elsewhere 2025", 412, 0.05, 1.2), options));

        Assert.Equal(["99 events (at least 100)"], GoLive.Shortfalls(Evaluation("x", 99, 0, 1), options));
        Assert.Equal(["calibration-in-the-large -0.37 (within ±0.20)", "calibration slope 0.36 (0.80 to 1.20)"], GoLive.Shortfalls(Evaluation("x", 150, -0.37, 0.36), options));
        Assert.Equal(["calibration slope NaN (0.80 to 1.20)"], GoLive.Shortfalls(Evaluation("x", 150, 0, double.NaN), options));
    }

    [Fact]
    public void The_evidence_is_the_latest_evaluation_that_meets_them_else_what_each_one_lacks()
    {
        var options = new GoLiveOptions();
        Assert.Equal((null, "no local evaluation is recorded in its card (clinicalcds evaluate --record)"), GoLive.Evidence(Card(), options));

        var mimic = Evaluation("MIMIC-IV demo", 17, -0.37, 0.36);
        var (none, why) = GoLive.Evidence(Card(mimic), options);
        Assert.Null(none);
        Assert.Equal("MIMIC-IV demo: 17 events (at least 100), calibration-in-the-large -0.37 (within ±0.20), calibration slope 0.36 (0.80 to 1.20)", why);

        var local = Evaluation("St Elsewhere 2025", 412, 0.05, 0.97);
        var (meets, summary) = GoLive.Evidence(Card(mimic, local), options);
        Assert.Same(local, meets);
        Assert.Equal("St Elsewhere 2025 (2026-11-30): 412 events, calibration-in-the-large 0.05, slope 0.97", summary);

        // Stricter minimums are the site's to set.
        Assert.Null(GoLive.Evidence(Card(local), new GoLiveOptions { MinimumEvents = 500 }).Meets);
    }

    [Fact]
    public void Going_live_is_kept_across_promotion_and_rollback()
    {
        var state = new ServingState("1.0.0", [], []).GoLive("1.0.0");
        Assert.Equal(["1.0.0"], state.Live);
        var promoted = state.Promote("1.1.0");
        Assert.Equal(["1.0.0"], promoted.Live);
        Assert.Equal(["1.0.0"], promoted.Rollback()!.Live);
        Assert.Equal(["1.0.0", "1.1.0"], promoted.GoLive("1.1.0").Live);
    }
}

/// <summary>What a candidate must show in shadow before it replaces the active version (issue 32 item 3).</summary>
public sealed class ShadowEvidenceTests
{
    /// <summary>
    /// 400 targets of 400 patients, 120 events: the active version ranks them by <paramref name="activeSignal"/>, the
    /// candidate by <paramref name="candidateSignal"/> (how much of the outcome each score carries).
    /// </summary>
    private static List<(string PatientId, double Candidate, double Active, bool Outcome)> Paired(double candidateSignal, double activeSignal)
    {
        var random = new Random(3);
        return [.. Enumerable.Range(0, 400).Select(i =>
        {
            var outcome = i % 10 < 3;
            double Score(double signal) => 1 / (1 + Math.Exp(-((outcome ? signal : 0) + (4 * random.NextDouble()) - 2)));
            return ($"p{i}", Score(candidateSignal), Score(activeSignal), outcome);
        })];
    }

    [Fact]
    public void A_candidate_with_enough_events_that_is_not_significantly_worse_may_be_promoted()
    {
        var evidence = ShadowEvidence.Of(Paired(candidateSignal: 1.0, activeSignal: 1.0));
        Assert.Equal((400, 120), (evidence.Targets, evidence.Events));
        Assert.True(evidence.Difference!.Low < 0 && evidence.Difference.High > 0, evidence.Summary);
        Assert.Null(evidence.Shortfall(new PromotionOptions()));
        Assert.StartsWith("400 targets in shadow, 120 events; AUROC candidate − active ", evidence.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_significantly_worse_or_with_too_few_events_may_not()
    {
        var worse = ShadowEvidence.Of(Paired(candidateSignal: 0.2, activeSignal: 1.5));
        Assert.True(worse.Difference!.High < 0, worse.Summary);
        Assert.StartsWith("significantly worse than the active version (AUROC difference -", worse.Shortfall(new PromotionOptions()), StringComparison.Ordinal);

        var few = ShadowEvidence.Of(Paired(1.0, 1.0).Take(40).ToList());
        Assert.Equal("12 events in shadow (at least 100)", few.Shortfall(new PromotionOptions()));
        Assert.Equal("the paired difference in AUROC is not estimable", ShadowEvidence.Of([("p1", 0.2, 0.3, false)]).Shortfall(new PromotionOptions { MinimumEvents = 0 }));
    }

    [Fact]
    public void A_recalibrated_candidate_that_ranks_every_target_alike_differs_by_exactly_0_and_may_be_promoted()
    {
        var active = Paired(1.0, 1.0);
        var recalibrated = active.Select(p => (p.PatientId, 1 / (1 + Math.Exp(-((0.7 * Math.Log(p.Active / (1 - p.Active))) - 0.4))), p.Active, p.Outcome)).ToList();
        var evidence = ShadowEvidence.Of(recalibrated);
        Assert.Equal(new CardEstimate(0, 0, 0), evidence.Difference);
        Assert.Null(evidence.Shortfall(new PromotionOptions()));
        Assert.EndsWith("AUROC candidate − active 0 (the two rank every target alike, as a recalibration does)", evidence.Summary, StringComparison.Ordinal);

        var oneSwapped = recalibrated.Select((p, i) => i == 0 ? (p.PatientId, p.Item2 + 0.5, p.Active, p.Outcome) : p).ToList();
        Assert.NotEqual(0, ShadowEvidence.Of(oneSwapped).Difference!.Value);
    }
}
