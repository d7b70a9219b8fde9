namespace ClinicalCds.Training.Evaluation;

/// <summary>Discrimination and calibration metrics of predicted probabilities against 0/1 outcomes.</summary>
public static class Metrics
{
    /// <summary>Area under the ROC curve: the probability that a random positive scores above a random negative (ties count half).</summary>
    public static double Auroc(IReadOnlyList<double> scores, IReadOnlyList<bool> outcomes)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPositives = 0;
        long positives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var midRank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                if (outcomes[order[k]])
                {
                    rankSumPositives += midRank;
                    positives++;
                }
            }

            i = j + 1;
        }

        var negatives = scores.Count - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (rankSumPositives - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }

    /// <summary>Area under the precision-recall curve as average precision (the mean precision at each positive).</summary>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> outcomes)
    {
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var totalPositives = outcomes.Count(o => o);
        if (totalPositives == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        var truePositives = 0;
        for (var k = 0; k < order.Length; k++)
        {
            if (outcomes[order[k]])
            {
                truePositives++;
                sum += truePositives / (double)(k + 1);
            }
        }

        return sum / totalPositives;
    }

    public static double Brier(IReadOnlyList<double> probabilities, IReadOnlyList<bool> outcomes) =>
        probabilities.Select((p, i) => Math.Pow(p - (outcomes[i] ? 1 : 0), 2)).Average();

    /// <summary>Expected calibration error over equal-width probability bins: Σ (n_b / n) |mean p_b − observed rate_b|.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<double> probabilities, IReadOnlyList<bool> outcomes, int bins = 10) =>
        Enumerable.Range(0, probabilities.Count)
            .GroupBy(i => Math.Min(bins - 1, (int)(probabilities[i] * bins)))
            .Sum(g => g.Count() / (double)probabilities.Count * Math.Abs(g.Average(i => probabilities[i]) - g.Average(i => outcomes[i] ? 1.0 : 0.0)));

    /// <summary>Calibration intercept and slope: the logistic regression of the outcome on logit(p) (perfect: 0 and 1).</summary>
    public static (double Intercept, double Slope) CalibrationInterceptSlope(IReadOnlyList<double> probabilities, IReadOnlyList<bool> outcomes) =>
        LogisticFit.Fit(probabilities.Select(p => Logit(Math.Clamp(p, 1e-6, 1 - 1e-6))).ToList(), outcomes);

    /// <summary>A percentile bootstrap 95% interval of <paramref name="statistic"/>, resampling rows with a fixed seed.</summary>
    public static (double Low, double High) Bootstrap95(
        IReadOnlyList<double> scores, IReadOnlyList<bool> outcomes, Func<IReadOnlyList<double>, IReadOnlyList<bool>, double> statistic, int resamples = 1000, int seed = 2026)
    {
        var random = new Random(seed);
        var values = new List<double>(resamples);
        var s = new double[scores.Count];
        var o = new bool[scores.Count];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < s.Length; i++)
            {
                var pick = random.Next(s.Length);
                s[i] = scores[pick];
                o[i] = outcomes[pick];
            }

            var value = statistic(s, o);
            if (!double.IsNaN(value))
            {
                values.Add(value);
            }
        }

        values.Sort();
        return values.Count == 0 ? (double.NaN, double.NaN) : (values[(int)(0.025 * (values.Count - 1))], values[(int)Math.Ceiling(0.975 * (values.Count - 1))]);
    }

    public static double Logit(double p) => Math.Log(p / (1 - p));

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}

/// <summary>
/// One-variable logistic regression, P(y) = σ(intercept + slope·x), by Newton–Raphson from the constant model with step
/// halving whenever the log-likelihood would fall, so it converges even on badly scaled scores.
/// </summary>
public static class LogisticFit
{
    public static (double Intercept, double Slope) Fit(IReadOnlyList<double> x, IReadOnlyList<bool> y, int iterations = 100)
    {
        var rate = Math.Clamp(y.Count(v => v) / (double)Math.Max(1, y.Count), 1e-6, 1 - 1e-6);
        double a = Metrics.Logit(rate), b = 0;
        var current = LogLikelihood(x, y, a, b);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
            for (var i = 0; i < x.Count; i++)
            {
                var p = Metrics.Sigmoid(a + (b * x[i]));
                var r = (y[i] ? 1 : 0) - p;
                var w = Math.Max(p * (1 - p), 1e-12);
                g0 += r;
                g1 += r * x[i];
                h00 += w;
                h01 += w * x[i];
                h11 += w * x[i] * x[i];
            }

            var det = (h00 * h11) - (h01 * h01);
            if (Math.Abs(det) < 1e-18)
            {
                break;
            }

            var da = ((h11 * g0) - (h01 * g1)) / det;
            var db = ((h00 * g1) - (h01 * g0)) / det;
            var step = 1.0;
            double next;
            while ((next = LogLikelihood(x, y, a + (step * da), b + (step * db))) < current && step > 1e-6)
            {
                step /= 2;
            }

            a += step * da;
            b += step * db;
            var improvement = next - current;
            current = next;
            if (Math.Abs(improvement) < 1e-12)
            {
                break;
            }
        }

        return (a, b);
    }

    private static double LogLikelihood(IReadOnlyList<double> x, IReadOnlyList<bool> y, double a, double b)
    {
        double sum = 0;
        for (var i = 0; i < x.Count; i++)
        {
            var z = a + (b * x[i]);
            // log σ(z) = -log(1 + e^-z), computed without overflow.
            sum += y[i] ? -Softplus(-z) : -Softplus(z);
        }

        return sum;
    }

    private static double Softplus(double z) => z > 30 ? z : Math.Log(1 + Math.Exp(z));
}
