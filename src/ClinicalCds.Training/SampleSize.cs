namespace ClinicalCds.Training;

/// <summary>The minimum sample for developing a model, its reasons, and whether a dataset meets it.</summary>
public sealed record SampleSizeCheck(int Rows, int Events, int MinimumRows, int MinimumEvents, int ShrinkageRows, int InterceptRows, double AnticipatedR2)
{
    public bool Met => Rows >= MinimumRows;

    public string Explanation => Met
        ? $"{Rows:N0} rows ({Events:N0} events) meet the minimum of {MinimumRows:N0} rows ({MinimumEvents:N0} events) for this many candidate predictors (Riley et al., BMJ 2020;368:m441)."
        : $"{Rows:N0} rows ({Events:N0} events) are fewer than the {MinimumRows:N0} rows ({MinimumEvents:N0} events) a model of this many candidate predictors needs "
          + $"(Riley et al., BMJ 2020;368:m441: {ShrinkageRows:N0} for a shrinkage factor of 0.9 at an anticipated Cox-Snell R² of {AnticipatedR2:0.000}, "
          + $"{InterceptRows:N0} to estimate the outcome's overall risk within ±0.05): the model would overfit and its test-split figures would flatter it.";
}

/// <summary>
/// The minimum sample size for developing a prediction model of a binary outcome: Riley RD, Ensor J, Snell KIE, et al.
/// Calculating the sample size required for developing a clinical prediction model. BMJ 2020;368:m441, criteria (i), a
/// global shrinkage factor of at least 0.9 — n = p / ((S − 1) ln(1 − R²cs / S)) — and (iii), the overall outcome risk
/// within ±0.05 — n = (1.96 / 0.05)² φ (1 − φ). Without a previous model's R², the paper's conservative default: a
/// Nagelkerke R² of 0.15, i.e. R²cs = 0.15 × max R²cs, max R²cs = 1 − exp(2 (φ ln φ + (1 − φ) ln(1 − φ))).
/// </summary>
public static class SampleSize
{
    public const double Shrinkage = 0.9;

    public const double NagelkerkeR2 = 0.15;

    public static double MaxCoxSnellR2(double prevalence) =>
        1 - Math.Exp(2 * ((prevalence * Math.Log(prevalence)) + ((1 - prevalence) * Math.Log(1 - prevalence))));

    /// <summary>Criterion (i): rows for a shrinkage factor of <see cref="Shrinkage"/> with <paramref name="predictors"/> candidate parameters.</summary>
    public static int ForShrinkage(int predictors, double coxSnellR2) =>
        (int)Math.Ceiling(predictors / ((Shrinkage - 1) * Math.Log(1 - (coxSnellR2 / Shrinkage))));

    /// <summary>Criterion (iii): rows to estimate the overall outcome proportion within ±0.05 (95 %).</summary>
    public static int ForIntercept(double prevalence) => (int)Math.Ceiling(Math.Pow(1.96 / 0.05, 2) * prevalence * (1 - prevalence));

    /// <summary>Whether <paramref name="rows"/> rows with <paramref name="events"/> events can develop a model of <paramref name="predictors"/> candidate parameters.</summary>
    public static SampleSizeCheck Check(int predictors, int rows, int events, double? coxSnellR2 = null)
    {
        var prevalence = rows == 0 ? 0.5 : Math.Clamp(events / (double)rows, 1e-6, 1 - 1e-6);
        var r2 = coxSnellR2 ?? (NagelkerkeR2 * MaxCoxSnellR2(prevalence));
        var shrinkage = ForShrinkage(predictors, r2);
        var intercept = ForIntercept(prevalence);
        var minimum = Math.Max(shrinkage, intercept);
        return new SampleSizeCheck(rows, events, minimum, (int)Math.Ceiling(minimum * prevalence), shrinkage, intercept, r2);
    }
}
