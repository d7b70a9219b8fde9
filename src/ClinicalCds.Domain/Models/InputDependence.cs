using System.Text.Json.Serialization;

namespace ClinicalCds.Domain.Models;

/// <summary>
/// How a model's inputs vary together in its training rows (ADR 0009): a Gaussian copula — each input's distribution as
/// <see cref="QuantileCount"/> quantiles of its recorded values, and the correlation of their normal scores (recorded
/// pairs only). It is what the package keeps of the training data: no row, only these summaries. A patient's missing
/// inputs are then completed from their distribution <em>given the inputs that are recorded</em> (<see cref="Given"/>):
/// an anaemic, hyponatraemic patient's missing creatinine is drawn from patients like them, not from everybody.
/// </summary>
public sealed record InputDependence(IReadOnlyList<double[]> Quantiles, double[][] Correlation)
{
    /// <summary>
    /// Recorded inputs the completion does not condition on: those the model must never be lowered by raising (vital signs'
    /// derangements, reduced consciousness, oxygen; ADR 0007). Completing other inputs given them could make a worse vital
    /// sign lower the risk through a shifted completion; so a vital sign moves the risk only through the trees. Written by
    /// training from the feature catalog.
    /// </summary>
    public IReadOnlyList<int>? NotConditionedOn { get; init; }

    /// <summary>
    /// How the range these completions give is moved on a hospital's own charts to hold 8 in 10 there (<see
    /// cref="RangeMargins"/>, ADR 0015); null when it is stated as completed (the shipped models: their test split holds).
    /// Fitted for these distributions: refitting them drops it.
    /// </summary>
    public RangeMargins? Margins { get; init; }

    public const string Method = "Gaussian copula";

    public const int QuantileCount = 100;

    /// <summary>Training rows read to estimate the correlations (every row when fewer): enough for ±0.01 on each.</summary>
    public const int MaxRows = 50_000;

    /// <summary>A normal score further out than this is read as this (a value beyond anything seen in training).</summary>
    private const double MaxScore = 3.5;

    /// <summary>The correlation matrix's smallest eigenvalue at least this (inputs that are nearly one another, like the two Charlson weightings).</summary>
    private const double MinEigenvalue = 0.01;

    /// <summary>Fewer recorded pairs than this and two inputs are taken as uncorrelated.</summary>
    private const int MinPairs = 50;

    [JsonIgnore]
    public int Width => Quantiles.Count;

    /// <summary>The copula of <paramref name="rows"/> (each of <paramref name="width"/> inputs, null where not recorded).</summary>
    public static InputDependence Fit(IReadOnlyList<IReadOnlyList<double?>> rows, int width, IEnumerable<int>? notConditionedOn = null)
    {
        var quantiles = Enumerable.Range(0, width).Select(j => QuantilesOf(rows, j)).ToList();
        var partial = new InputDependence(quantiles, Identity(width));

        // Every k-th row, so a sample of at most MaxRows spans the whole (patient-ordered) training set.
        var step = Math.Max(1, (rows.Count + MaxRows - 1) / MaxRows);
        var scores = new List<double[]>();
        for (var i = 0; i < rows.Count; i += step)
        {
            scores.Add([.. Enumerable.Range(0, width).Select(j => rows[i][j] is { } v && quantiles[j].Length > 0 ? partial.Score(j, v) : double.NaN)]);
        }

        var correlation = Identity(width);
        for (var a = 0; a < width; a++)
        {
            for (var b = a + 1; b < width; b++)
            {
                correlation[a][b] = correlation[b][a] = PairCorrelation(scores, a, b);
            }
        }

        return new InputDependence(quantiles, PositiveDefinite(correlation)) { NotConditionedOn = notConditionedOn?.Order().ToArray() };
    }

    /// <summary>Local inputs recorded fewer times than this keep the distribution they were fitted with.</summary>
    public const int MinLocalValues = 20;

    /// <summary>
    /// This copula with each input's distribution refitted on a hospital's own <paramref name="rows"/> where it records the
    /// input at least <see cref="MinLocalValues"/> times, the dependence between inputs kept (issue 31 item 2): a copula
    /// separates what each input's values are from how the inputs move together (Sklar's theorem), and the first is what
    /// differs most between populations — the MIMIC-IV demo's discharges are more anaemic than the synthetic population
    /// the shipped models learned from, so a missing hemoglobin completed from the training distribution falls short of
    /// what their charts say. No outcome is read: only the recorded values of the inputs.
    /// </summary>
    public InputDependence WithLocalMarginals(IReadOnlyList<IReadOnlyList<double?>> rows) =>
        // The cached regressions per pattern of missing inputs depend on the correlation alone, which is kept: shared.
        this with
        {
            Quantiles = [.. Enumerable.Range(0, Width).Select(j =>
                rows.Count(r => r[j] is not null) >= MinLocalValues ? QuantilesOf(rows, j) : Quantiles[j])],
            Margins = null,
        };

    /// <summary>The <see cref="QuantileCount"/> quantiles of input j's recorded values in <paramref name="rows"/>; empty when none.</summary>
    private static double[] QuantilesOf(IReadOnlyList<IReadOnlyList<double?>> rows, int j)
    {
        var recorded = rows.Select(r => r[j]).OfType<double>().Order().ToArray();
        return recorded.Length == 0 ? [] : Enumerable.Range(0, QuantileCount)
            .Select(k => recorded[Math.Min(recorded.Length - 1, (int)((k + 0.5) / QuantileCount * recorded.Length))])
            .ToArray();
    }

    /// <summary>The normal score of a value of input j: Φ⁻¹ of its mid-rank among the input's quantiles.</summary>
    public double Score(int j, double value)
    {
        var q = Quantiles[j];
        var below = LowerBound(q, value);
        var equal = UpperBound(q, value) - below;
        var u = (below + (0.5 * equal)) / q.Length;
        return Math.Clamp(StandardNormal.Quantile(Math.Clamp(u, 0.5 / q.Length, 1 - (0.5 / q.Length))), -MaxScore, MaxScore);
    }

    /// <summary>The value of input j at normal score z: its quantile at Φ(z).</summary>
    public double ValueAt(int j, double z)
    {
        var q = Quantiles[j];
        return q[Math.Clamp((int)(StandardNormal.Cdf(z) * q.Length), 0, q.Length - 1)];
    }

    /// <summary>
    /// The distribution of the missing inputs of <paramref name="x"/> (null; inputs never recorded in training aside) given
    /// its recorded ones: conditional mean and covariance of their normal scores, z_M | z_O ~ N(R_MO R_OO⁻¹ z_O,
    /// R_MM − R_MO R_OO⁻¹ R_OM).
    /// </summary>
    public ConditionalInputs Given(IReadOnlyList<double?> x)
    {
        var missing = Enumerable.Range(0, Width).Where(j => x[j] is null && Quantiles[j].Length > 0).ToArray();
        if (missing.Length == 0)
        {
            return new ConditionalInputs(this, missing, [], new double[0, 0], null);
        }

        // The regression of the missing scores on the recorded ones depends only on which inputs are missing: computed
        // once per pattern (charts miss inputs in few patterns), then one product per vector.
        var pattern = _patterns.TryGetValue(string.Join(',', missing), out var known) ? known : Pattern(missing);
        var mean = new double[missing.Length];
        for (var o = 0; o < pattern.Observed.Length; o++)
        {
            var z = Score(pattern.Observed[o], x[pattern.Observed[o]]!.Value);
            for (var m = 0; m < missing.Length; m++)
            {
                mean[m] += pattern.Weights[o, m] * z;
            }
        }

        return new ConditionalInputs(this, missing, mean, pattern.Covariance, pattern.Factor);
    }

    /// <summary>What a pattern of missing inputs needs: the recorded inputs, R_OO⁻¹ R_OM, the conditional covariance and its factor.</summary>
    private sealed record MissingPattern(int[] Observed, double[,] Weights, double[,] Covariance, double[,]? Factor);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, MissingPattern> _patterns = new(StringComparer.Ordinal);

    /// <summary>Patterns kept at most (a bound on memory whatever the charts).</summary>
    private const int MaxPatterns = 4096;

    private MissingPattern Pattern(int[] missing)
    {
        var observed = Enumerable.Range(0, Width)
            .Where(j => Array.IndexOf(missing, j) < 0 && Quantiles[j].Length > 0 && !(NotConditionedOn?.Contains(j) ?? false)).ToArray();
        var rOO = Sub(observed, observed);
        var rMO = Sub(missing, observed);
        var lOO = Cholesky(rOO) ?? throw new InvalidOperationException("The correlation of the recorded inputs is not positive definite.");

        // W = R_OO⁻¹ R_OM, column by column; mean = W' z_O; covariance = R_MM − R_MO W.
        var w = new double[observed.Length, missing.Length];
        for (var m = 0; m < missing.Length; m++)
        {
            var column = Solve(lOO, [.. Enumerable.Range(0, observed.Length).Select(o => rMO[m, o])]);
            for (var o = 0; o < observed.Length; o++)
            {
                w[o, m] = column[o];
            }
        }

        var covariance = Sub(missing, missing);
        for (var m = 0; m < missing.Length; m++)
        {
            for (var n = 0; n < missing.Length; n++)
            {
                for (var o = 0; o < observed.Length; o++)
                {
                    covariance[m, n] -= rMO[m, o] * w[o, n];
                }
            }
        }

        var pattern = new MissingPattern(observed, w, covariance, Cholesky(covariance));
        if (_patterns.Count < MaxPatterns)
        {
            _patterns.TryAdd(string.Join(',', missing), pattern);
        }

        return pattern;
    }

    /// <summary>The number of sorted values below <paramref name="value"/>.</summary>
    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The number of sorted values at or below <paramref name="value"/>.</summary>
    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private double[,] Sub(int[] rows, int[] columns)
    {
        var sub = new double[rows.Length, columns.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                sub[r, c] = Correlation[rows[r]][columns[c]];
            }
        }

        return sub;
    }

    private static double[][] Identity(int width) => [.. Enumerable.Range(0, width).Select(i => Enumerable.Range(0, width).Select(j => i == j ? 1.0 : 0.0).ToArray())];

    private static double PairCorrelation(List<double[]> scores, int a, int b)
    {
        double n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        foreach (var row in scores)
        {
            var (x, y) = (row[a], row[b]);
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                continue;
            }

            n++;
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
        }

        var varA = saa - (sa * sa / n);
        var varB = sbb - (sb * sb / n);
        return n < MinPairs || varA <= 1e-9 * n || varB <= 1e-9 * n ? 0 : Math.Clamp((sab - (sa * sb / n)) / Math.Sqrt(varA * varB), -1, 1);
    }

    /// <summary>Pairwise correlations need not make a correlation matrix: shrunk towards the identity until they do.</summary>
    private static double[][] PositiveDefinite(double[][] correlation)
    {
        var width = correlation.Length;
        foreach (var shrink in new[] { 0.0, 0.01, 0.02 }.Concat(Enumerable.Range(1, 20).Select(k => k * 0.05)))
        {
            var candidate = new double[width, width];
            for (var i = 0; i < width; i++)
            {
                for (var j = 0; j < width; j++)
                {
                    candidate[i, j] = i == j ? 1 : (1 - shrink) * correlation[i][j];
                }
            }

            // Positive definite with a margin: every eigenvalue at least MinEigenvalue, so every principal submatrix (the
            // recorded inputs of any patient) factors, and no conditional variance of a missing input falls below it.
            for (var i = 0; i < width; i++)
            {
                candidate[i, i] -= MinEigenvalue;
            }

            if (Cholesky(candidate) is not null)
            {
                return [.. Enumerable.Range(0, width).Select(i => Enumerable.Range(0, width).Select(j => i == j ? 1.0 : candidate[i, j]).ToArray())];
            }
        }

        throw new InvalidOperationException("unreachable: the identity is positive definite");
    }

    /// <summary>The lower Cholesky factor of a symmetric matrix; null when it is not positive definite.</summary>
    internal static double[,]? Cholesky(double[,] a)
    {
        var n = a.GetLength(0);
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                if (i == j)
                {
                    if (sum <= 1e-12)
                    {
                        return null;
                    }

                    l[i, i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i, j] = sum / l[j, j];
                }
            }
        }

        return l;
    }

    /// <summary>Solves L L' x = b.</summary>
    private static double[] Solve(double[,] l, double[] b)
    {
        var n = b.Length;
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[i, k] * y[k];
            }

            y[i] = sum / l[i, i];
        }

        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var k = i + 1; k < n; k++)
            {
                sum -= l[k, i] * x[k];
            }

            x[i] = sum / l[i, i];
        }

        return x;
    }
}

/// <summary>
/// A patient's missing inputs given the recorded ones (<see cref="InputDependence.Given"/>): the conditional mean and
/// covariance of their normal scores.
/// </summary>
public sealed class ConditionalInputs(InputDependence dependence, int[] missing, double[] mean, double[,] covariance, double[,]? factor)
{
    /// <summary>Joint completions drawn for the plausible range: enough that its 10th and 90th percentiles are stable.</summary>
    public const int DrawCount = 100;

    /// <summary>A fixed seed: the same vector always gets the same completions, so the same card.</summary>
    private const int Seed = 20_260_601;

    public IReadOnlyList<int> Missing => missing;

    /// <summary>
    /// The reference values of each missing input given the recorded ones — its conditional distribution's
    /// (k + ½)/K quantiles, K = <paramref name="size"/> — and the training reference of every other input.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double>> Reference(IReadOnlyList<IReadOnlyList<double>> marginal, int size)
    {
        var reference = marginal.ToArray();
        for (var m = 0; m < missing.Length; m++)
        {
            var sd = Math.Sqrt(Math.Max(covariance[m, m], 0));
            reference[missing[m]] = [.. Enumerable.Range(0, size).Select(k => dependence.ValueAt(missing[m], mean[m] + (sd * StandardNormal.Quantile((k + 0.5) / size))))];
        }

        return reference;
    }

    /// <summary>
    /// <see cref="DrawCount"/> complete rows the vector could be: the missing inputs drawn jointly from their conditional
    /// distribution (so missing inputs that move together are drawn together), the recorded ones as recorded.
    /// </summary>
    public float[][] Draws(IReadOnlyList<double?> x)
    {
        var l = missing.Length == 0 ? new double[0, 0] : factor ?? Diagonal();
        var random = new Random(Seed);
        var rows = new float[DrawCount][];
        for (var k = 0; k < DrawCount; k++)
        {
            var row = MissingInputs.Row(x);
            var e = new double[missing.Length];
            for (var m = 0; m < missing.Length; m++)
            {
                // Box–Muller: one standard normal from two uniforms.
                e[m] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            }

            for (var m = 0; m < missing.Length; m++)
            {
                var z = mean[m];
                for (var n = 0; n <= m; n++)
                {
                    z += l[m, n] * e[n];
                }

                row[missing[m]] = (float)dependence.ValueAt(missing[m], z);
            }

            rows[k] = row;
        }

        return rows;
    }

    private double[,] Diagonal()
    {
        var l = new double[missing.Length, missing.Length];
        for (var m = 0; m < missing.Length; m++)
        {
            l[m, m] = Math.Sqrt(Math.Max(covariance[m, m], 1e-9));
        }

        return l;
    }
}
