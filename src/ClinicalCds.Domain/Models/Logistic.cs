namespace ClinicalCds.Domain.Models;

/// <summary>The logistic function and its inverse: log-odds to probability and back, for calibration, evaluation, the range and the simulator's risks alike.</summary>
public static class Logistic
{
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Logit(double p) => Math.Log(p / (1 - p));
}
