using ClinicalCds.Domain.Models;

namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>
/// Rows ordered by a score once, so that discrimination under any row weights (a bootstrap resample) takes one pass:
/// ties stay together and count half, as in <see cref="Metrics.Auroc"/>.
/// </summary>
public sealed class Ranking
{
    private readonly int[] _order;
    private readonly int[] _tieStarts;

    /// <summary>The ranking of <paramref name="rows"/> (all rows when null) by <paramref name="scores"/>, lowest first.</summary>
    public Ranking(IReadOnlyList<double> scores, IEnumerable<int>? rows = null)
    {
        _order = [.. (rows ?? Enumerable.Range(0, scores.Count)).OrderBy(i => scores[i])];
        var starts = new List<int>();
        for (var k = 0; k < _order.Length; k++)
        {
            if (k == 0 || scores[_order[k]] != scores[_order[k - 1]])
            {
                starts.Add(k);
            }
        }

        starts.Add(_order.Length);
        _tieStarts = [.. starts];
    }

    /// <summary>Weighted AUROC: the weighted share of positive-negative pairs ranked right, ties half (NaN without both).</summary>
    public double Auroc(IReadOnlyList<bool> outcomes, double[] weights)
    {
        double negativesBelow = 0, sum = 0, positives = 0;
        for (var g = 0; g + 1 < _tieStarts.Length; g++)
        {
            var (p, n) = TieGroup(g, outcomes, weights);

            sum += p * (negativesBelow + (n / 2));
            negativesBelow += n;
            positives += p;
        }

        return positives == 0 || negativesBelow == 0 ? double.NaN : sum / (positives * negativesBelow);
    }

    /// <summary>
    /// Weighted average precision: Σ over thresholds (highest first) of the recall gained × the precision there, tied
    /// rows taken together (the step definition of scikit-learn's average_precision_score).
    /// </summary>
    public double AveragePrecision(IReadOnlyList<bool> outcomes, double[] weights)
    {
        double total = 0;
        foreach (var i in _order)
        {
            total += outcomes[i] ? weights[i] : 0;
        }

        if (total == 0)
        {
            return double.NaN;
        }

        double truePositives = 0, falsePositives = 0, sum = 0;
        for (var g = _tieStarts.Length - 2; g >= 0; g--)
        {
            var (p, n) = TieGroup(g, outcomes, weights);

            truePositives += p;
            falsePositives += n;
            if (p > 0)
            {
                sum += p / total * (truePositives / (truePositives + falsePositives));
            }
        }

        return sum;
    }

    /// <summary>The weight of the positive and of the negative rows sharing the <paramref name="g"/>-th lowest score.</summary>
    private (double Positive, double Negative) TieGroup(int g, IReadOnlyList<bool> outcomes, double[] weights)
    {
        double p = 0, n = 0;
        for (var k = _tieStarts[g]; k < _tieStarts[g + 1]; k++)
        {
            var i = _order[k];
            if (outcomes[i])
            {
                p += weights[i];
            }
            else
            {
                n += weights[i];
            }
        }

        return (p, n);
    }
}

/// <summary>Calibration and classification statistics of probabilities under row weights (1 for the estimate, bootstrap counts for a resample).</summary>
public static class WeightedMetrics
{
    public static double Brier(IReadOnlyList<double> probabilities, IReadOnlyList<bool> outcomes, double[] weights)
    {
        double sum = 0, total = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var error = probabilities[i] - (outcomes[i] ? 1 : 0);
            sum += weights[i] * error * error;
            total += weights[i];
        }

        return total == 0 ? double.NaN : sum / total;
    }

    /// <summary>
    /// Calibration-in-the-large: the intercept a of logit P(y) = a + logit(p) with logit(p) as an offset (slope fixed at
    /// 1); 0 when the predictions are right on average, negative when they are too high (Van Calster B et al. A calibration
    /// hierarchy for risk models was defined: from utopia to empirical data. J Clin Epidemiol 2016;74:167-176; Steyerberg EW.
    /// Clinical Prediction Models, 2nd ed. 2019, ch. 15). Newton's method on a one-parameter concave likelihood.
    /// </summary>
    public static double CalibrationInTheLarge(IReadOnlyList<double> logits, IReadOnlyList<bool> outcomes, double[] weights, double start = 0)
    {
        // Undefined without both outcomes (the intercept would run off to ±∞): a resample that drew no event says nothing.
        if (!BothOutcomes(outcomes, weights))
        {
            return double.NaN;
        }

        var a = start;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double gradient = 0, information = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                if (weights[i] == 0)
                {
                    continue;
                }

                var p = Logistic.Sigmoid(a + logits[i]);
                gradient += weights[i] * ((outcomes[i] ? 1 : 0) - p);
                information += weights[i] * Math.Max(p * (1 - p), 1e-12);
            }

            if (information == 0)
            {
                return double.NaN;
            }

            var step = Math.Clamp(gradient / information, -5, 5);
            a += step;
            if (Math.Abs(step) < 1e-9)
            {
                break;
            }
        }

        return a;
    }

    /// <summary>Whether the weighted sample holds at least one event and one non-event.</summary>
    public static bool BothOutcomes(IReadOnlyList<bool> outcomes, double[] weights)
    {
        bool positive = false, negative = false;
        for (var i = 0; i < weights.Length && !(positive && negative); i++)
        {
            if (weights[i] > 0)
            {
                positive |= outcomes[i];
                negative |= !outcomes[i];
            }
        }

        return positive && negative;
    }

    /// <summary>Observed events over expected events (Σ outcomes / Σ probabilities): above 1 when the model under-predicts.</summary>
    public static double ObservedToExpected(IReadOnlyList<double> probabilities, IReadOnlyList<bool> outcomes, double[] weights, IReadOnlyList<int> rows)
    {
        double observed = 0, expected = 0;
        foreach (var i in rows)
        {
            observed += outcomes[i] ? weights[i] : 0;
            expected += weights[i] * probabilities[i];
        }

        return expected == 0 ? double.NaN : observed / expected;
    }

    /// <summary>
    /// At one threshold (flagged when the probability is at least it): the share of rows flagged (alert rate), of
    /// positives flagged (sensitivity) and of flagged rows that were positive (positive predictive value).
    /// </summary>
    public static (double AlertRate, double Sensitivity, double PositivePredictiveValue) AtThreshold(
        IReadOnlyList<double> probabilities, IReadOnlyList<bool> outcomes, double[] weights, IReadOnlyList<int> rows, double threshold)
    {
        double total = 0, flagged = 0, positives = 0, flaggedPositives = 0;
        foreach (var i in rows)
        {
            var w = weights[i];
            var flag = probabilities[i] >= threshold;
            total += w;
            flagged += flag ? w : 0;
            positives += outcomes[i] ? w : 0;
            flaggedPositives += flag && outcomes[i] ? w : 0;
        }

        return (
            total == 0 ? double.NaN : flagged / total,
            positives == 0 ? double.NaN : flaggedPositives / positives,
            flagged == 0 ? double.NaN : flaggedPositives / flagged);
    }
}
