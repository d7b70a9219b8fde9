namespace ClinicalCds.Domain.Models;

/// <summary>The logistic function: log-odds to probability, for calibration, evaluation and the simulator's risks alike.</summary>
public static class Logistic
{
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
