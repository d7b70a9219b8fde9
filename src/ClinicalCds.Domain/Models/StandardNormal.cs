namespace ClinicalCds.Domain.Models;

/// <summary>The standard normal distribution's cumulative distribution function and its inverse.</summary>
public static class StandardNormal
{
    /// <summary>
    /// Φ(x) = erfc(−x/√2)/2, with erfc by the Chebyshev fit of Press et al., Numerical Recipes (2nd ed., §6.2, erfcc):
    /// fractional error below 1.2e-7 everywhere.
    /// </summary>
    public static double Cdf(double x)
    {
        var z = Math.Abs(x) / Math.Sqrt(2);
        var t = 1 / (1 + (0.5 * z));
        var erfc = t * Math.Exp(-(z * z) + Horner(t, Erfc));
        return x >= 0 ? 1 - (0.5 * erfc) : 0.5 * erfc;
    }

    /// <summary>Numerical Recipes' erfcc coefficients, lowest power first.</summary>
    private static readonly double[] Erfc = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];

    // Acklam's coefficients, highest power first (as he lists them).
    private static readonly double[] A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];

    /// <summary>Φ⁻¹(p) for 0 &lt; p &lt; 1, by P. J. Acklam's rational approximation (relative error below 1.15e-9).</summary>
    public static double Quantile(double p)
    {
        if (p <= 0 || p >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability strictly between 0 and 1");
        }

        const double Low = 0.02425;
        if (p < Low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return HornerHighFirst(q, C) / ((HornerHighFirst(q, D) * q) + 1);
        }

        if (p > 1 - Low)
        {
            return -Quantile(1 - p);
        }

        var r = p - 0.5;
        var s = r * r;
        return HornerHighFirst(s, A) * r / ((HornerHighFirst(s, B) * s) + 1);
    }

    /// <summary>Σ c[i] xⁱ, coefficients lowest power first.</summary>
    private static double Horner(double x, double[] c)
    {
        var sum = 0.0;
        for (var i = c.Length - 1; i >= 0; i--)
        {
            sum = (sum * x) + c[i];
        }

        return sum;
    }

    /// <summary>Σ c[i] x^(n−1−i), coefficients highest power first.</summary>
    private static double HornerHighFirst(double x, double[] c)
    {
        var sum = 0.0;
        foreach (var coefficient in c)
        {
            sum = (sum * x) + coefficient;
        }

        return sum;
    }
}
