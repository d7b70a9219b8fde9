using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models;

namespace ClinicalCds.UnitTests.Models;

/// <summary>Missing inputs completed given the recorded ones (issue 31 item 1, ADR 0009).</summary>
public sealed class InputDependenceTests
{
    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959964)]
    [InlineData(0.9, 1.281552)]
    [InlineData(0.01, -2.326348)]
    [InlineData(0.001, -3.090232)]
    public void The_normal_quantile_and_distribution_function_match_published_values(double p, double z)
    {
        Assert.Equal(z, StandardNormal.Quantile(p), 5);
        Assert.Equal(p, StandardNormal.Cdf(z), 6);
    }

    /// <summary>
    /// Rows of three inputs: a and b standard normal with correlation <paramref name="rho"/> (b on another scale), c
    /// independent and binary (20 % ones), d recorded in half the rows only.
    /// </summary>
    private static List<IReadOnlyList<double?>> Rows(double rho, int count = 20_000, int seed = 7)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = new List<IReadOnlyList<double?>>();
        for (var i = 0; i < count; i++)
        {
            var a = Normal();
            var b = (rho * a) + (Math.Sqrt(1 - (rho * rho)) * Normal());
            var c = random.NextDouble() < 0.2 ? 1.0 : 0.0;
            var d = (0.5 * a) + (Math.Sqrt(0.75) * Normal());
            rows.Add([a, 140 + (4 * b), c, i % 2 == 0 ? d : null]);
        }

        return rows;
    }

    [Fact]
    public void Correlations_of_normal_scores_are_estimated_from_the_recorded_pairs()
    {
        var dependence = InputDependence.Fit(Rows(0.8), 4);
        Assert.Equal(0.8, dependence.Correlation[0][1], 1); // ±0.05
        Assert.InRange(Math.Abs(dependence.Correlation[0][2]), 0, 0.03);
        Assert.Equal(0.5, dependence.Correlation[0][3], 1);
        Assert.Equal(InputDependence.QuantileCount, dependence.Quantiles[1].Length);
        Assert.Equal(140, dependence.Quantiles[1][49], 0); // the median, on b's own scale
    }

    [Fact]
    public void A_missing_input_is_completed_from_patients_like_this_one_on_what_is_recorded()
    {
        var dependence = InputDependence.Fit(Rows(0.8), 4);
        var marginal = dependence.Quantiles.Select(q => (IReadOnlyList<double>)q.Where((_, k) => k % 5 == 2).ToArray()).ToList();

        // a recorded two standard deviations high, b missing: b given a ~ N(0.8·2, 1 − 0.64) on the normal scale,
        // i.e. 140 + 4·1.6 = 146.4 in the middle, its 20 values spread ±4·0.6·1.64 (5 % to 95 %) around it.
        var conditional = dependence.Given([2.0, null, 0.0, 1.0]).Reference(marginal, 20);
        var values = conditional[1];
        Assert.Equal(20, values.Count);
        Assert.InRange(values.Average(), 145.4, 147.4);
        Assert.InRange(values[^1] - values[0], 0.7 * 2 * 4 * 0.6 * 1.64, 1.3 * 2 * 4 * 0.6 * 1.64);
        // The training reference, taken as independent, is centred on everybody (140) and twice as wide.
        Assert.InRange(marginal[1].Average(), 139, 141);

        // An input that varies with nothing recorded keeps its training distribution: c is 1 in a fifth of the values.
        var c = dependence.Given([2.0, 1.0, null, 1.0]).Reference(marginal, 20)[2];
        Assert.InRange(c.Count(v => v == 1), 3, 5);
    }

    [Fact]
    public void Local_marginals_move_a_completion_to_the_hospitals_values_and_keep_how_the_inputs_move_together()
    {
        var dependence = InputDependence.Fit(Rows(0.8), 4);
        var marginal = dependence.Quantiles.Select(q => (IReadOnlyList<double>)q.Where((_, k) => k % 5 == 2).ToArray()).ToList();

        // A hospital whose b runs 10 lower (130 ± 4) and which records d only 10 times: b refitted, d kept.
        var local = Rows(0.8, count: 400, seed: 11).Select(r => (IReadOnlyList<double?>)[r[0], r[1] - 10, r[2], null]).ToList();
        for (var i = 0; i < 10; i++)
        {
            local[i] = [local[i][0], local[i][1], local[i][2], 99.0];
        }

        var refitted = dependence.WithLocalMarginals(local);
        Assert.Equal(dependence.Correlation, refitted.Correlation);
        Assert.Equal(dependence.Quantiles[3], refitted.Quantiles[3]);
        Assert.InRange(refitted.Quantiles[1].Average(), 129, 131);

        // b given a recorded two standard deviations high: the same rise on the normal scale, from the hospital's centre.
        var before = dependence.Given([2.0, null, 0.0, 1.0]).Reference(marginal, 20)[1].Average();
        var after = refitted.Given([2.0, null, 0.0, 1.0]).Reference(marginal, 20)[1].Average();
        Assert.InRange(before - after, 8, 12);
    }

    [Fact]
    public void The_stated_range_is_the_narrowest_holding_8_in_10_and_the_central_one_where_the_values_are_symmetric()
    {
        // Symmetric: the 10th to the 91st of 100 ordered values (81 apart, holding 81/101 of a further draw).
        var even = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        Assert.Equal((10.0, 91.0), ModelInference.Shortest80(even));

        // Most completions of a missing vital sign are normal, where a model monotone in it is lowest: 60 values at 0.05,
        // the rest spread above. The central range (0.05 to the 91st) would hold nearly all; the narrowest starts at 0.05.
        var pinned = Enumerable.Repeat(0.05, 60).Concat(Enumerable.Range(1, 40).Select(i => 0.05 + (i * 0.01))).ToArray();
        var (low, high) = ModelInference.Shortest80(pinned);
        Assert.Equal(0.05, low);
        Assert.Equal(pinned[81], high);
        Assert.True(high < pinned[90]);
    }

    [Fact]
    public void Joint_draws_keep_missing_inputs_that_move_together_together_and_are_the_same_every_time()
    {
        var dependence = InputDependence.Fit(Rows(0.9), 4);
        var x = new double?[] { null, null, 0.0, null };
        var draws = dependence.Given(x).Draws(x);
        Assert.Equal(ConditionalInputs.DrawCount, draws.Length);
        var a = draws.Select(r => (double)r[0]).ToArray();
        var b = draws.Select(r => (double)r[1]).ToArray();
        Assert.True(Correlation(a, b) > 0.7, $"correlation {Correlation(a, b):F2} of the drawn a and b");
        Assert.All(draws, r => Assert.Equal(0f, r[2])); // recorded inputs as recorded
        Assert.Equal(draws.Select(r => r[1]), dependence.Given(x).Draws(x).Select(r => r[1]));
    }

    [Fact]
    public void Pairwise_correlations_that_make_no_correlation_matrix_are_shrunk_until_they_do()
    {
        // a, b and c recorded in disjoint pairs only, with correlations no joint distribution has (a≈b, b≈c, a≈−c).
        var random = new Random(3);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = new List<IReadOnlyList<double?>>();
        for (var i = 0; i < 3000; i++)
        {
            var u = Normal();
            var v = u + (0.05 * Normal());
            rows.Add((i % 3) switch { 0 => [u, v, null], 1 => [null, u, v], _ => [u, null, -v] });
        }

        var dependence = InputDependence.Fit(rows, 3);
        // Raw pairs near ±1 cannot stand together; shrunk by about half they can (and keep their signs).
        Assert.InRange(dependence.Correlation[0][1], 0.35, 0.5);
        Assert.InRange(dependence.Correlation[1][2], 0.35, 0.5);
        Assert.InRange(dependence.Correlation[0][2], -0.5, -0.35);
        // Still a distribution to complete from: a missing given b and c recorded has a variance, and draws exist.
        var x = new double?[] { null, 1.0, 1.0 };
        Assert.Equal(ConditionalInputs.DrawCount, dependence.Given(x).Draws(x).Length);
        Assert.Equal(20, dependence.Given(x).Reference([[0.0], [0.0], [0.0]], 20)[0].Count);
    }

    private static double Correlation(double[] x, double[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var sxy = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        return sxy / Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)) * y.Sum(b => (b - my) * (b - my)));
    }
}
