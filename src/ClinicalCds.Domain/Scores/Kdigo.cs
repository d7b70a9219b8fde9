using System.Globalization;

namespace ClinicalCds.Domain.Scores;

/// <summary>
/// Serum creatinine as KDIGO reads it, in mg/dL: the latest value, the lowest earlier value within 48 h of it, and the
/// lowest earlier value within 7 days of it (the baseline "known or presumed to have occurred within the prior 7 days").
/// </summary>
public sealed record CreatinineCourse(double LatestMgDl, double? LowestPrior48hMgDl, double? LowestPrior7dMgDl);

/// <summary>
/// KDIGO acute kidney injury staging from serum creatinine: KDIGO Clinical Practice Guideline for Acute Kidney Injury,
/// Kidney Int Suppl 2012;2(1):1-138, section 2.1. AKI is a rise ≥ 0.3 mg/dL (26.5 µmol/L) within 48 h or a level
/// ≥ 1.5 × baseline. Stage 1: 1.5–1.9 × baseline or the ≥ 0.3 mg/dL rise; stage 2: 2.0–2.9 ×; stage 3: ≥ 3.0 ×, or
/// an increase to ≥ 4.0 mg/dL (353.6 µmol/L). Urine output and renal replacement therapy are not assessed here.
/// </summary>
public static class Kdigo
{
    // Values are read at the 0.01 mg/dL precision laboratories report, so the guideline's µmol/L equivalents
    // (26.5 µmol/L = 0.3 mg/dL, 353.6 µmol/L = 4.0 mg/dL, converted at 88.42) land on the thresholds, and binary
    // floating-point error (1.2 − 0.9 = 0.2999…) cannot move a patient across one.
    private static double Reported(double mgDl) => Math.Round(mgDl, 2, MidpointRounding.AwayFromZero);

    private const double RatioTolerance = 1e-9;

    /// <summary>0 = no AKI by creatinine, else stage 1–3; null when there is no earlier value to compare with.</summary>
    public static int? Stage(CreatinineCourse course)
    {
        if (course.LowestPrior48hMgDl is null && course.LowestPrior7dMgDl is null)
        {
            return null;
        }

        var latest = Reported(course.LatestMgDl);
        var rise48h = course.LowestPrior48hMgDl is { } low48 ? Reported(latest - Reported(low48)) : (double?)null;
        var ratio = course.LowestPrior7dMgDl is { } baseline && Reported(baseline) > 0 ? latest / Reported(baseline) : (double?)null;
        var aki = rise48h >= 0.3 || ratio >= 1.5 - RatioTolerance;
        if (!aki)
        {
            return 0;
        }

        if (ratio >= 3.0 - RatioTolerance || latest >= 4.0)
        {
            return 3;
        }

        return ratio >= 2.0 - RatioTolerance ? 2 : 1;
    }

    public static ScoreResult Score(CreatinineCourse? course)
    {
        if (course is null)
        {
            return new ScoreResult("KDIGO AKI stage", Source, 0, "not assessable",
                [new ScoreComponent("Serum creatinine", "not measured", 0)], ["creatinine"]);
        }

        static string MgDl(double? v) => v is { } x ? $"{x.ToString("0.00", CultureInfo.InvariantCulture)} mg/dL" : "none";
        var stage = Stage(course);
        ScoreComponent[] components =
        [
            new("Latest serum creatinine", MgDl(course.LatestMgDl), 0),
            new("Lowest creatinine in the 48 h before", MgDl(course.LowestPrior48hMgDl), 0),
            new("Baseline (lowest in the 7 days before)", MgDl(course.LowestPrior7dMgDl), 0),
        ];
        return stage is { } s
            ? new ScoreResult("KDIGO AKI stage", Source, s, s == 0 ? "no AKI" : $"AKI stage {s}", components, [])
            : new ScoreResult("KDIGO AKI stage", Source, 0, "not assessable", components, ["earlier creatinine within 7 days"]);
    }

    private const string Source = "KDIGO Clinical Practice Guideline for Acute Kidney Injury, Kidney Int Suppl 2012;2(1):1-138";
}
