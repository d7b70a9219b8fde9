using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;

namespace ClinicalCds.UnitTests.Training;

/// <summary>
/// Issue 32 item 4: a bootstrap interval is reported only when it says something about precision — it contains its own
/// estimate and has width; otherwise "interval not estimable".
/// </summary>
public sealed class BootstrapIntervalTests
{
    private static readonly PatientBootstrap Bootstrap = new([.. Enumerable.Range(0, 60).Select(i => $"p{i % 30}")]);

    private static readonly double[] Values = [.. Enumerable.Range(0, 60).Select(i => (i * 37 % 11) / 10.0)];

    private static double Mean(double[] w) => Enumerable.Range(0, w.Length).Sum(i => w[i] * Values[i]) / w.Sum();

    [Fact]
    public void A_mean_gets_an_interval_around_it()
    {
        var mean = Bootstrap.Estimate(w => [Mean(w)], 500, 1).Single();
        Assert.InRange(mean.Value, mean.Low, mean.High);
        Assert.True(mean.Low < mean.High);
        Assert.DoesNotContain(CardEstimate.NoInterval, mean.Show("0.00"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_statistic_that_never_varies_like_the_rate_of_a_group_without_events_has_no_interval()
    {
        var rate = Bootstrap.Estimate(w => [0.0], 500, 1).Single();
        Assert.Equal(0, rate.Value);
        Assert.True(double.IsNaN(rate.Low) && double.IsNaN(rate.High));
        Assert.Equal("0.0 % (interval not estimable)", rate.ShowPercent());
    }

    [Fact]
    public void A_statistic_whose_resamples_all_lie_above_it_like_a_small_samples_calibration_error_has_no_interval()
    {
        // The estimate (all weights 1) is 0; any resample that drops or repeats a patient is above it.
        var biased = Bootstrap.Estimate(w => [w.Sum(x => Math.Abs(x - 1)) + (w.Any(x => x != 1) ? 0.01 : 0)], 500, 1).Single();
        Assert.Equal(0, biased.Value);
        Assert.True(double.IsNaN(biased.Low));
        Assert.Equal("0.000 (interval not estimable)", biased.Show("0.000"));
    }
}

/// <summary>Cross-validation deals patients, not rows, to folds (issue 31 item 2, issue 32 item 1).</summary>
public sealed class PatientFoldsTests
{
    [Fact]
    public void Every_row_of_a_patient_lands_in_one_fold_and_patients_are_dealt_evenly_in_order_of_id()
    {
        string[] rows = ["p3", "p1", "p2", "p1", "p5", "p4", "p3", "p6"];
        var fold = PatientFolds.Of(rows, 5);
        Assert.Equal([2, 0, 1, 0, 4, 3, 2, 0], fold);
        Assert.Equal(fold, PatientFolds.Of(rows, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PatientFolds.Of(rows, 1));
    }
}
