using ClinicalCds.Training.Evaluation;

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
        Assert.Equal((1 + (2.0 / 3)) / 2, Metrics.AveragePrecision([0.9, 0.8, 0.7], [true, false, true]), 12);
    }

    [Fact]
    public void Brier_and_calibration_error_of_hand_examples()
    {
        Assert.Equal(((0.2 * 0.2) + (0.3 * 0.3)) / 2, Metrics.Brier([0.8, 0.3], [true, false]), 12);
        // Bin [0.2, 0.3): mean p 0.25, observed 0.5 → |0.25| weighted 1.
        Assert.Equal(0.25, Metrics.ExpectedCalibrationError([0.25, 0.25], [true, false]), 12);
    }

    [Fact]
    public void Logistic_fit_recovers_known_coefficients_and_perfect_calibration_has_slope_one()
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 20_000).Select(_ => (random.NextDouble() * 8) - 4).ToList();
        var y = x.Select(v => random.NextDouble() < Metrics.Sigmoid(-1.0 + (0.7 * v))).ToList();

        var (intercept, slope) = LogisticFit.Fit(x, y);
        Assert.Equal(-1.0, intercept, 1);
        Assert.Equal(0.7, slope, 1);

        var calibrated = x.Select(v => Metrics.Sigmoid(-1.0 + (0.7 * v))).ToList();
        var (calibrationIntercept, calibrationSlope) = Metrics.CalibrationInterceptSlope(calibrated, y);
        Assert.Equal(0.0, calibrationIntercept, 1);
        Assert.Equal(1.0, calibrationSlope, 1);
        Assert.True(Metrics.ExpectedCalibrationError(calibrated, y) < 0.02);
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

    [Fact]
    public void The_bootstrap_interval_contains_the_estimate_and_is_reproducible()
    {
        var random = new Random(3);
        var outcomes = Enumerable.Range(0, 500).Select(_ => random.NextDouble() < 0.3).ToList();
        var scores = outcomes.Select(o => (o ? 0.6 : 0.4) + (random.NextDouble() * 0.5)).ToList();
        var auroc = Metrics.Auroc(scores, outcomes);
        var first = Metrics.Bootstrap95(scores, outcomes, Metrics.Auroc, resamples: 300);
        Assert.InRange(auroc, first.Low, first.High);
        Assert.Equal(first, Metrics.Bootstrap95(scores, outcomes, Metrics.Auroc, resamples: 300));
    }
}

public sealed class EvaluationPlotsTests
{
    [Fact]
    public void The_ROC_curve_runs_from_the_origin_to_the_top_right_and_the_plots_are_valid_SVG()
    {
        (double, bool)[] predictions = [(0.9, true), (0.8, false), (0.7, true), (0.2, false)];
        var roc = EvaluationPlots.RocSvg(predictions, "ROC & test");
        var calibration = EvaluationPlots.CalibrationSvg(predictions, "calibration");

        var points = System.Xml.Linq.XDocument.Parse(roc).Descendants().Single(e => e.Name.LocalName == "polyline").Attribute("points")!.Value.Split(' ');
        Assert.Equal("40,320", points[0]); // (0, 0)
        Assert.Equal("320,40", points[^1]); // (1, 1)
        Assert.Equal(4, System.Xml.Linq.XDocument.Parse(calibration).Descendants().Count(e => e.Name.LocalName == "circle"));
        Assert.Contains("ROC &amp; test", roc, StringComparison.Ordinal);
    }
}
