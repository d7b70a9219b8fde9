using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;

namespace ClinicalCds.UnitTests.Training;

/// <summary>Input drift against a card's reference: nothing raised on inputs like training's, exactly the planted alarm otherwise.</summary>
public sealed class InputDriftTests
{
    /// <summary>A continuous feature (hemoglobin-like), a binary one (half 1) and one recorded for 70 % of training rows.</summary>
    private static readonly CardFeature[] Features =
    [
        new("Hemoglobin", "g/dL", "test", 12, 1.5, 0.2, [.. Enumerable.Range(0, 20).Select(k => Quantile(12, 1.5, (k + 0.5) / 20))]),
        new("Female", "", "test", 0.5, 0.5, 0, [.. Enumerable.Repeat(0.0, 10), .. Enumerable.Repeat(1.0, 10)]),
        new("Albumin", "g/dL", "test", 3.5, 0.5, 0.3, [.. Enumerable.Range(0, 20).Select(k => Quantile(3.5, 0.5, (k + 0.5) / 20))]),
    ];

    private static double Quantile(double mean, double sd, double p) => mean + (sd * Probit(p));

    /// <summary>The standard normal quantile (Acklam's rational approximation, ample here).</summary>
    private static double Probit(double p)
    {
        double[] a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239];
        double[] b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155211841];
        double[] c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
        double[] d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
        if (p < 0.02425)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        if (p > 1 - 0.02425)
        {
            return -Probit(1 - p);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }

    private static double Normal(Random random, double mean, double sd) =>
        mean + (sd * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static List<IReadOnlyList<double?>> Inputs(int n, int seed, double hemoglobinShift = 0, double albuminMissing = 0.3)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (IReadOnlyList<double?>)
        [
            random.NextDouble() < 0.2 ? null : Normal(random, 12 + hemoglobinShift, 1.5),
            random.NextDouble() < 0.5 ? 1.0 : 0.0,
            random.NextDouble() < albuminMissing ? null : Normal(random, 3.5, 0.5),
        ])];
    }

    private static readonly DriftThresholds Thresholds = new();

    [Fact]
    public void Inputs_drawn_like_training_raise_no_alarm()
    {
        var drift = InputDrift.Compare(Features, Inputs(2000, 1), Thresholds);

        Assert.All(drift, f => Assert.Empty(f.Alarms));
        Assert.All(drift, f => Assert.InRange(f.Psi, 0, 0.05));
        Assert.Equal(0.2, drift[0].MissingShare, 1);
        // About 5 % of training values lie outside the reference's 2.5th to 97.5th percentile points.
        Assert.InRange(drift[0].OutOfRangeShare, 0.02, 0.09);
    }

    [Fact]
    public void A_shift_in_one_feature_raises_exactly_that_alarm()
    {
        // Hemoglobin one standard deviation lower (say, a unit mapped as mmol/L read as g/dL would be far worse).
        var drift = InputDrift.Compare(Features, Inputs(2000, 2, hemoglobinShift: -1.5), Thresholds);

        var hemoglobin = drift.Single(f => f.Feature == "Hemoglobin");
        Assert.Contains(InputDrift.Shifted, hemoglobin.Alarms);
        Assert.True(hemoglobin.Psi > 0.5, $"PSI {hemoglobin.Psi}");
        Assert.All(drift.Where(f => f.Feature != "Hemoglobin"), f => Assert.Empty(f.Alarms));
    }

    [Fact]
    public void A_feature_no_longer_recorded_raises_the_missing_share_alarm_alone()
    {
        var drift = InputDrift.Compare(Features, Inputs(2000, 3, albuminMissing: 0.8), Thresholds);

        Assert.Equal([InputDrift.MissingChanged], drift.Single(f => f.Feature == "Albumin").Alarms);
        Assert.All(drift.Where(f => f.Feature != "Albumin"), f => Assert.Empty(f.Alarms));
    }

    [Fact]
    public void Values_beyond_the_training_range_raise_the_out_of_range_alarm_and_too_few_inputs_raise_nothing()
    {
        var inputs = Inputs(1000, 4).Select(v => (IReadOnlyList<double?>)[v[0] is { } h ? h * 10 : null, v[1], v[2]]).ToList();
        var drift = InputDrift.Compare(Features, inputs, Thresholds);
        Assert.Contains(InputDrift.OutOfRange, drift[0].Alarms);

        // The same values, but only 100 rows: below the minimum, nothing sounds.
        Assert.All(InputDrift.Compare(Features, inputs.Take(100).ToList(), Thresholds), f => Assert.Empty(f.Alarms));
    }

    [Theory]
    [InlineData(2000, 200, true)] // a tenth of a lab in g/L labelled g/dL
    [InlineData(60, 3, true)] // a small hospital's month: a fault however few the patients
    [InlineData(60, 2, false)] // two mistyped results are typos
    [InlineData(1000, 5, false)] // 0.5 %
    public void A_result_feed_is_faulty_when_more_than_1_percent_and_at_least_3_results_are_not_usable(int results, int unusable, bool alarmed) =>
        Assert.Equal(alarmed, new ClinicalCds.Application.Monitoring.CheckResultFeed.ResultFeed("718-7", results, unusable, ["g/dL"]).Alarmed(Thresholds));
}
