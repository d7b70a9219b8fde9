using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Application.Models;

namespace ClinicalCds.UnitTests.Training;

public sealed class MetricsTests
{
    [Fact]
    public void AUROC_is_one_for_perfect_ranking_zero_for_reversed_and_counts_ties_half()
    {
        bool[] outcomes = [false, false, true, true];
        Assert.Equal(1.0, Metrics.Auroc([0.1, 0.2, 0.8, 0.9], outcomes));
        Assert.Equal(0.0, Metrics.Auroc([0.9, 0.8, 0.2, 0.1], outcomes));
        Assert.Equal(0.5, Metrics.Auroc([0.5, 0.5, 0.5, 0.5], outcomes));
        // 3 of the 4 positive-negative pairs ranked right.
        Assert.Equal(0.75, Metrics.Auroc([0.1, 0.6, 0.5, 0.9], outcomes));
        Assert.True(double.IsNaN(Metrics.Auroc([0.1, 0.2], [false, false])));
    }

    [Fact]
    public void Average_precision_is_the_mean_precision_at_each_positive()
    {
        // Ranked: + (1/1), - , + (2/3): AP = (1 + 2/3) / 2.
        Assert.Equal((1 + (2.0 / 3)) / 2, new Ranking([0.9, 0.8, 0.7]).AveragePrecision([true, false, true], Metrics.Ones(3)), 12);
    }

    [Fact]
    public void A_weight_of_two_is_the_row_counted_twice_for_every_statistic()
    {
        var random = new Random(7);
        var p = Enumerable.Range(0, 60).Select(_ => Math.Round(random.NextDouble(), 2)).ToArray();
        var y = p.Select(v => random.NextDouble() < v).ToArray();
        var weights = p.Select((_, i) => i % 3 == 0 ? 2.0 : i % 5 == 0 ? 0.0 : 1.0).ToArray();
        // The same sample written out: rows of weight 2 twice, of weight 0 not at all.
        var rows = Enumerable.Range(0, p.Length).SelectMany(i => Enumerable.Repeat(i, (int)weights[i])).ToArray();
        var (p2, y2) = (rows.Select(i => p[i]).ToArray(), rows.Select(i => y[i]).ToArray());
        var ones = Metrics.Ones(rows.Length);
        double[] Logits(double[] v) => [.. v.Select(x => Logistic.Logit(Math.Clamp(x, 1e-6, 1 - 1e-6)))];

        Assert.Equal(new Ranking(p2).Auroc(y2, ones), new Ranking(p).Auroc(y, weights), 12);
        Assert.Equal(new Ranking(p2).AveragePrecision(y2, ones), new Ranking(p).AveragePrecision(y, weights), 12);
        Assert.Equal(WeightedMetrics.Brier(p2, y2, ones), WeightedMetrics.Brier(p, y, weights), 12);
        Assert.Equal(WeightedMetrics.CalibrationInTheLarge(Logits(p2), y2, ones), WeightedMetrics.CalibrationInTheLarge(Logits(p), y, weights), 8);
        Assert.Equal(LogisticFit.Fit(Logits(p2), y2).Slope, LogisticFit.Fit(Logits(p), y, weights: weights).Slope, 6);
        var all = Enumerable.Range(0, p.Length).ToArray();
        Assert.Equal(
            WeightedMetrics.AtThreshold(p2, y2, ones, Enumerable.Range(0, rows.Length).ToArray(), 0.5),
            WeightedMetrics.AtThreshold(p, y, weights, all, 0.5));
    }

    [Fact]
    public void Calibration_in_the_large_and_slope_recover_a_planted_miscalibration()
    {
        // Outcomes drawn from σ(L); predictions σ(L + 1) are too high by 1 on the log-odds scale (in-the-large −1 with
        // logit(p) as offset), predictions σ(2L) too extreme (slope 1/2), as Van Calster et al. 2016 define both.
        var random = new Random(5);
        var truth = Enumerable.Range(0, 40_000).Select(_ => (random.NextDouble() * 6) - 4).ToArray();
        var y = truth.Select(l => random.NextDouble() < Logistic.Sigmoid(l)).ToArray();
        var ones = Metrics.Ones(y.Length);

        Assert.Equal(0.0, WeightedMetrics.CalibrationInTheLarge(truth, y, ones), 1);
        Assert.Equal(-1.0, WeightedMetrics.CalibrationInTheLarge([.. truth.Select(l => l + 1)], y, ones), 1);
        Assert.Equal(1.0, LogisticFit.Fit(truth, y).Slope, 1);
        Assert.Equal(0.5, LogisticFit.Fit([.. truth.Select(l => 2 * l)], y).Slope, 1);
    }

    [Fact]
    public void Calibration_is_not_estimated_from_a_sample_without_both_outcomes()
    {
        double[] logits = [-2, -1, 0, 1];
        Assert.True(double.IsNaN(WeightedMetrics.CalibrationInTheLarge(logits, [false, false, false, false], Metrics.Ones(4))));
        // A resample that drew only the non-events: weights 0 on the events.
        Assert.True(double.IsNaN(WeightedMetrics.CalibrationInTheLarge(logits, [false, true, false, true], [1, 0, 2, 0])));
        Assert.False(double.IsNaN(WeightedMetrics.CalibrationInTheLarge(logits, [false, true, false, true], Metrics.Ones(4))));
    }

    [Fact]
    public void Logistic_fit_recovers_known_coefficients()
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 20_000).Select(_ => (random.NextDouble() * 8) - 4).ToList();
        var y = x.Select(v => random.NextDouble() < Logistic.Sigmoid(-1.0 + (0.7 * v))).ToList();

        var (intercept, slope) = LogisticFit.Fit(x, y);
        Assert.Equal(-1.0, intercept, 1);
        Assert.Equal(0.7, slope, 1);
    }

    [Fact]
    public void Logistic_fit_converges_on_badly_scaled_scores()
    {
        var x = Enumerable.Range(0, 400).Select(i => (i - 200) * 0.5).ToList();
        var y = x.Select((v, i) => (v > 0) ^ (i % 7 == 0)).ToList();
        var (intercept, slope) = LogisticFit.Fit(x, y);
        Assert.InRange(slope, 0.0, 1.0);
        Assert.InRange(Math.Abs(intercept), 0.0, 5.0);
    }
}

public sealed class PatientBootstrapTests
{
    private static (string[] Patients, double[] Scores, bool[] Outcomes) Sample(int patients, int rowsEach, int seed)
    {
        var random = new Random(seed);
        var outcomes = Enumerable.Range(0, patients).Select(_ => random.NextDouble() < 0.3).ToArray();
        var scores = outcomes.Select(o => (o ? 0.6 : 0.4) + (random.NextDouble() * 0.5)).ToArray();
        var rows = Enumerable.Range(0, patients).SelectMany(p => Enumerable.Repeat(p, rowsEach)).ToArray();
        return ([.. rows.Select(p => $"patient-{p}")], [.. rows.Select(p => scores[p])], [.. rows.Select(p => outcomes[p])]);
    }

    [Fact]
    public void Ten_rows_of_each_patient_give_the_interval_of_one_row_each_because_patients_are_resampled_not_rows()
    {
        var (onePatients, oneScores, oneOutcomes) = Sample(300, 1, 3);
        var (tenPatients, tenScores, tenOutcomes) = Sample(300, 10, 3);
        var one = new PatientBootstrap(onePatients).Estimate(w => [new Ranking(oneScores).Auroc(oneOutcomes, w)], 300, 11)[0];
        var ten = new PatientBootstrap(tenPatients).Estimate(w => [new Ranking(tenScores).Auroc(tenOutcomes, w)], 300, 11)[0];

        Assert.Equal(one.Value, ten.Value, 12);
        Assert.Equal(one.Low, ten.Low, 12);
        Assert.Equal(one.High, ten.High, 12);
        // Resampling the 3,000 rows as if independent would have given a far narrower, false interval.
        var rowWise = new PatientBootstrap([.. Enumerable.Range(0, tenPatients.Length).Select(i => $"row-{i}")])
            .Estimate(w => [new Ranking(tenScores).Auroc(tenOutcomes, w)], 300, 11)[0];
        Assert.True(rowWise.High - rowWise.Low < 0.5 * (ten.High - ten.Low), $"row-wise {rowWise}, patient-wise {ten}");
    }

    [Fact]
    public void The_interval_contains_the_estimate_and_is_reproducible()
    {
        var (patients, scores, outcomes) = Sample(400, 2, 9);
        var bootstrap = new PatientBootstrap(patients);
        double[] Statistic(double[] w) => [new Ranking(scores).Auroc(outcomes, w)];
        var first = bootstrap.Estimate(Statistic, 200, 1)[0];

        Assert.Equal(Metrics.Auroc(scores, outcomes), first.Value, 12);
        Assert.InRange(first.Value, first.Low, first.High);
        Assert.Equal(first, bootstrap.Estimate(Statistic, 200, 1)[0]);
        Assert.Equal(400, bootstrap.Patients);
    }
}

public sealed class ModelEvaluationTests
{
    /// <summary>Patients with one to three rows whose outcomes are drawn from the model's own probability: a calibrated model.</summary>
    private static List<EvaluatedRow> Calibrated(int patients, int seed)
    {
        var random = new Random(seed);
        var rows = new List<EvaluatedRow>();
        for (var p = 0; p < patients; p++)
        {
            var female = p % 2 == 0;
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                var probability = Logistic.Sigmoid((random.NextDouble() * 5) - 4);
                var outcome = random.NextDouble() < probability;
                // A weaker published score: the probability blurred by noise, in integer points as such scores are.
                var score = Math.Round((probability * 20) + (random.NextDouble() * 6));
                rows.Add(new EvaluatedRow($"p{p}", probability, outcome, [score, probability], [female ? "female" : "male", p < 12 ? "rare group" : "common group"]));
            }
        }

        return rows;
    }

    [Fact]
    public void A_calibrated_model_is_found_calibrated_with_intervals_around_the_ideal()
    {
        var rows = Calibrated(3000, 21);
        var result = ModelEvaluation.Evaluate(rows, ["SCORE", "SAME"], new CardTiers(0.2, 0.4, "test"), resamples: 200);
        var m = result.Metrics;

        Assert.Equal(rows.Count, m.Rows);
        Assert.Equal(3000, m.Patients);
        Assert.InRange(0.0, m.CalibrationInTheLarge.Low, m.CalibrationInTheLarge.High);
        Assert.InRange(1.0, m.CalibrationSlope.Low, m.CalibrationSlope.High);
        Assert.InRange(m.Auroc.Value, m.Auroc.Low, m.Auroc.High);
        // Ten bins of equal counts (not equal widths), each observed near its mean prediction.
        Assert.Equal(10, m.CalibrationCurve.Count);
        Assert.All(m.CalibrationCurve, b => Assert.InRange(b.Rows, (rows.Count / 10) - 1, (rows.Count / 10) + 1));
        Assert.All(m.CalibrationCurve, b => Assert.InRange(b.MeanPredicted, b.Observed.Low - 0.02, b.Observed.High + 0.02));
        Assert.True(m.ExpectedCalibrationError.Value < 0.03);
    }

    [Fact]
    public void Rates_at_the_tiers_are_the_shares_of_rows_flagged_of_positives_caught_and_of_alerts_right()
    {
        var rows = Calibrated(2000, 4);
        var high = ModelEvaluation.Evaluate(rows, [], new CardTiers(0.2, 0.4, "test"), resamples: 50).Metrics.AtTiers.Single(t => t.Tier == "high");

        var flagged = rows.Where(r => r.Probability >= 0.4).ToList();
        Assert.Equal(flagged.Count / (double)rows.Count, high.AlertRate.Value, 12);
        Assert.Equal(flagged.Count(r => r.Outcome) / (double)rows.Count(r => r.Outcome), high.Sensitivity.Value, 12);
        Assert.Equal(flagged.Count(r => r.Outcome) / (double)flagged.Count, high.PositivePredictiveValue.Value, 12);
        Assert.InRange(high.PositivePredictiveValue.Value, high.PositivePredictiveValue.Low, high.PositivePredictiveValue.High);
    }

    [Fact]
    public void A_baseline_is_compared_paired_and_a_small_subgroup_is_flagged_not_estimated()
    {
        var rows = Calibrated(3000, 8);
        var result = ModelEvaluation.Evaluate(rows, ["SCORE", "SAME"], new CardTiers(0.2, 0.4, "test"), resamples: 200);

        var score = result.Baselines.Single(b => b.Name == "SCORE");
        Assert.True(score.ModelMinusBaseline.Low > 0, $"the model ranks better than its blurred score: {score.ModelMinusBaseline}");
        // A baseline identical to the model differs from it by exactly zero in every resample: the difference is 0, and a
        // bootstrap that cannot vary says nothing about precision, so no interval is claimed (issue 32 item 4).
        var same = result.Baselines.Single(b => b.Name == "SAME");
        Assert.Equal(0, same.ModelMinusBaseline.Value);
        Assert.True(double.IsNaN(same.ModelMinusBaseline.Low) && double.IsNaN(same.ModelMinusBaseline.High));

        var rare = result.Subgroups.Single(g => g.Group == "rare group");
        Assert.Equal(12, rare.Patients);
        Assert.Null(rare.Auroc);
        Assert.Contains("not estimated", rare.Note, StringComparison.Ordinal);
        var common = result.Subgroups.Single(g => g.Group == "common group");
        Assert.NotNull(common.Auroc);
        Assert.InRange(1.0, common.ObservedToExpected.Low, common.ObservedToExpected.High);
        Assert.Equal(rows.Count, result.Subgroups.Where(g => g.Group is "female" or "male").Sum(g => g.Rows));
    }
}

public sealed class EvaluationPlotsTests
{
    [Fact]
    public void The_ROC_curve_runs_from_the_origin_to_the_top_right_and_the_plots_are_valid_SVG()
    {
        (double, bool)[] predictions = [(0.9, true), (0.8, false), (0.7, true), (0.2, false)];
        var roc = EvaluationPlots.RocSvg(predictions, "ROC & test");
        CardCalibrationBin[] curve = [new(5, 0.1, new(0.12, 0.05, 0.2)), new(5, 0.3, new(0.25, 0.15, 0.4)), new(5, 0.6, new(0.7, 0.5, 0.85))];
        var calibration = EvaluationPlots.CalibrationSvg(curve, "calibration");

        var points = System.Xml.Linq.XDocument.Parse(roc).Descendants().Single(e => e.Name.LocalName == "polyline").Attribute("points")!.Value.Split(' ');
        Assert.Equal("40,320", points[0]); // (0, 0)
        Assert.Equal("320,40", points[^1]); // (1, 1)
        var plot = System.Xml.Linq.XDocument.Parse(calibration).Descendants().ToList();
        Assert.Equal(3, plot.Count(e => e.Name.LocalName == "circle"));
        // Each decile's interval is a bar; with the diagonal, four lines.
        Assert.Equal(4, plot.Count(e => e.Name.LocalName == "line"));
        Assert.Contains("ROC &amp; test", roc, StringComparison.Ordinal);
    }
}
