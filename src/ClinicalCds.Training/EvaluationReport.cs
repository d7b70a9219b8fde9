using ClinicalCds.Application.Models;
using System.Globalization;
using System.Text;

namespace ClinicalCds.Training;

/// <summary>evaluation.md: the model card's numbers for people.</summary>
public static class EvaluationReport
{
    public static string Markdown(ModelCard card)
    {
        var m = card.Test;
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        Line($"# {card.Name} {card.Version} — evaluation on the test split");
        Line(string.Empty);
        Line($"> {card.Warning}");
        Line(string.Empty);
        Line($"Outcome: {card.Outcome}");
        Line(string.Empty);
        Line($"Data: {card.TrainingData}");
        Line(string.Empty);
        Line("| metric | value |");
        Line("|---|---:|");
        Line(F($"| rows (positive) | {m.Rows:N0} ({m.Positives:N0}) |"));
        Line(F($"| AUROC (95% bootstrap CI) | {m.Auroc:F3} ({m.AurocLow:F3}–{m.AurocHigh:F3}) |"));
        Line(F($"| AUPRC | {m.Auprc:F3} |"));
        Line(F($"| Brier score | {m.Brier:F4} |"));
        Line(F($"| expected calibration error | {m.ExpectedCalibrationError:F4} |"));
        Line(F($"| calibration intercept / slope | {m.CalibrationIntercept:F3} / {m.CalibrationSlope:F3} |"));
        foreach (var (name, auroc) in card.BaselineAuroc)
        {
            Line(F($"| {name} AUROC (same rows) | {auroc:F3} |"));
        }

        if (card.OracleAuroc is { } oracle)
        {
            Line(F($"| oracle AUROC (the generator's true probabilities) | {oracle:F3} |"));
        }

        Line(string.Empty);
        Line("| subgroup | rows | positive | AUROC |");
        Line("|---|---:|---:|---:|");
        foreach (var s in card.Subgroups)
        {
            Line(F($"| {s.Group} | {s.Rows:N0} | {s.Positives:N0} | {s.Auroc:F3} |"));
        }

        Line(string.Empty);
        Line("![ROC curve](roc.svg) ![Calibration](calibration.svg)");
        Line(string.Empty);
        Line(F($"Tiers: moderate from {card.Tiers.Moderate:P1}, high from {card.Tiers.High:P1} ({card.Tiers.Note})"));
        return text.ToString();
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
