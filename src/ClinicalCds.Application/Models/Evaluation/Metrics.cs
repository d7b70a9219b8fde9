using ClinicalCds.Domain.Models;

namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>AUROC of a score against 0/1 outcomes (the logistic link is <see cref="Logistic"/>; the weighted statistics are in <see cref="WeightedMetrics"/>).</summary>
public static class Metrics
{
    /// <summary>Area under the ROC curve: the probability that a random positive scores above a random negative (ties count half).</summary>
    public static double Auroc(IReadOnlyList<double> scores, IReadOnlyList<bool> outcomes) =>
        new Ranking(scores).Auroc(outcomes, Ones(scores.Count));

    /// <summary>Every row once: the weights of the sample itself.</summary>
    public static double[] Ones(int rows)
    {
        var weights = new double[rows];
        Array.Fill(weights, 1.0);
        return weights;
    }
}

/// <summary>
/// One-variable logistic regression, P(y) = σ(intercept + slope·x), by Newton–Raphson from the constant model with step
/// halving whenever the log-likelihood would fall, so it converges even on badly scaled scores.
/// </summary>
public static class LogisticFit
{
    /// <param name="weights">Row weights (a bootstrap resample's counts); every row once when null.</param>
    /// <param name="start">Where Newton starts (the full sample's fit, for a resample); the constant model when null.</param>
    public static (double Intercept, double Slope) Fit(
        IReadOnlyList<double> x, IReadOnlyList<bool> y, int iterations = 100, double[]? weights = null, (double Intercept, double Slope)? start = null)
    {
        double W(int i) => weights is null ? 1 : weights[i];
        double positives = 0, total = 0;
        for (var i = 0; i < x.Count; i++)
        {
            positives += y[i] ? W(i) : 0;
            total += W(i);
        }

        var rate = Math.Clamp(positives / Math.Max(1, total), 1e-6, 1 - 1e-6);
        var (a, b) = start ?? (Logistic.Logit(rate), 0);
        var current = LogLikelihood(x, y, a, b, weights);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
            for (var i = 0; i < x.Count; i++)
            {
                var weight = W(i);
                if (weight == 0)
                {
                    continue;
                }

                var p = Logistic.Sigmoid(a + (b * x[i]));
                var r = weight * ((y[i] ? 1 : 0) - p);
                var w = weight * Math.Max(p * (1 - p), 1e-12);
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
            while ((next = LogLikelihood(x, y, a + (step * da), b + (step * db), weights)) < current && step > 1e-6)
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

    private static double LogLikelihood(IReadOnlyList<double> x, IReadOnlyList<bool> y, double a, double b, double[]? weights)
    {
        double sum = 0;
        for (var i = 0; i < x.Count; i++)
        {
            var weight = weights is null ? 1 : weights[i];
            if (weight == 0)
            {
                continue;
            }

            var z = a + (b * x[i]);
            // log σ(z) = -log(1 + e^-z), computed without overflow.
            sum += weight * (y[i] ? -Softplus(-z) : -Softplus(z));
        }

        return sum;
    }

    private static double Softplus(double z) => z > 30 ? z : Math.Log(1 + Math.Exp(z));
}
