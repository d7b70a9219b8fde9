using System.Text.Json.Serialization;

namespace ClinicalCds.Domain.Models;

/// <summary>
/// The map from the trees' raw score to probability. "platt": σ(intercept + slope · score), as training fits it.
/// "isotonic" (a local recalibration, ADR 0011): the pooled-adjacent-violators fit's blocks as <see cref="Knots"/> — each
/// block's mean score and observed rate — joined by straight lines and flat beyond the first and last, so it is
/// non-decreasing everywhere and strictly increasing between knots; <see cref="Intercept"/> and <see cref="Slope"/> are
/// then the logistic fit on the same data, kept for comparison, and no answer uses them.
/// </summary>
public sealed record CardCalibration(string Method, double Intercept, double Slope, string Note)
{
    public const string Platt = "platt";

    public const string Isotonic = "isotonic";

    /// <summary>The isotonic map's knots in increasing score (and non-decreasing probability); null for Platt.</summary>
    public IReadOnlyList<CalibrationKnot>? Knots { get; init; }

    /// <summary>Whether a higher raw score never means a lower probability (the order a lower bound on the score keeps).</summary>
    [JsonIgnore]
    public bool KeepsOrder => Knots is not null || Slope > 0;

    /// <summary>The calibrated probability of a raw score.</summary>
    public double Probability(double score) => Knots is { } knots ? Interpolate(knots, score) : Logistic.Sigmoid(LogOdds(score));

    /// <summary>The calibrated log-odds of a raw score.</summary>
    public double LogOdds(double score)
    {
        if (Knots is null)
        {
            return Intercept + (Slope * score);
        }

        var p = Probability(score);
        return Logistic.Logit(p);
    }

    /// <summary>
    /// How many calibrated log-odds one unit of raw score is worth between <paramref name="from"/> and <paramref name="to"/>:
    /// the slope for Platt; for isotonic the secant, so that contributions on the raw score, scaled by it, still add up to
    /// the log-odds between the two (where they meet, the slope of the line the score lies on).
    /// </summary>
    public double LogOddsPerScore(double from, double to)
    {
        if (Knots is null)
        {
            return Slope;
        }

        const double Step = 1e-6;
        return Math.Abs(to - from) > Step
            ? (LogOdds(to) - LogOdds(from)) / (to - from)
            : (LogOdds(to + Step) - LogOdds(to - Step)) / (2 * Step);
    }

    private static double Interpolate(IReadOnlyList<CalibrationKnot> knots, double score)
    {
        if (score <= knots[0].Score)
        {
            return knots[0].Probability;
        }

        if (score >= knots[^1].Score)
        {
            return knots[^1].Probability;
        }

        var (low, high) = (0, knots.Count - 1);
        while (high - low > 1)
        {
            var middle = (low + high) / 2;
            (low, high) = knots[middle].Score <= score ? (middle, high) : (low, middle);
        }

        var (a, b) = (knots[low], knots[high]);
        return a.Probability + ((b.Probability - a.Probability) * (score - a.Score) / (b.Score - a.Score));
    }
}

/// <summary>One block of an isotonic calibration: its rows' mean raw score and the probability there.</summary>
public sealed record CalibrationKnot(double Score, double Probability);
