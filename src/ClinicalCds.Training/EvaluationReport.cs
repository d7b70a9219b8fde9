using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models.Evaluation;
using System.Globalization;
using System.Text;
using ClinicalCds.Application.Models;

namespace ClinicalCds.Training;

/// <summary>evaluation.md: a model's performance for people — on its test split at training, or on a hospital's own patients.</summary>
public static class EvaluationReport
{
    public static string Markdown(ModelCard card)
    {
        var text = new StringBuilder();
        Line(text, $"# {card.Name} {card.Version} — evaluation on the test split");
        Line(text, string.Empty);
        FewEvents(text, card.Test);
        Line(text, $"> {card.Warning}");
        Line(text, string.Empty);
        Line(text, $"Outcome: {card.Outcome}");
        Line(text, string.Empty);
        Line(text, $"Data: {card.TrainingData}");
        Line(text, string.Empty);
        Performance(text, card.Test, card.Baselines, card.Subgroups, card.Oracle, card.OracleAuroc);
        Line(text, string.Empty);
        Line(text, F($"Tiers: {card.Tiers.Note} Moderate from {card.Tiers.Moderate:P1}, high from {card.Tiers.High:P1}."));
        Coverage(text, card.RangeCoverage);
        return text.ToString();
    }

    /// <summary>
    /// Whether the stated 80 % plausible range holds: per way charts miss inputs, how often the range stated without them
    /// contains the estimate of the chart as it was (an honest range: about 8 in 10).
    /// </summary>
    public static void Coverage(StringBuilder text, IReadOnlyList<CardRangeCoverage>? coverage, IReadOnlyList<CardRangeCoverage>? local = null)
    {
        if (coverage is null || coverage.Count == 0)
        {
            return;
        }

        static string Cell(CardRangeCoverage c) => c.Rows == 0 ? "— | — | —"
            : F($"{c.Covered:N0} ({c.Share:P0}{(c.Low is { } low && c.High is { } high ? F($"; {low:P0}–{high:P0}") : string.Empty)}) | {c.Above:N0} | {c.Below:N0}");
        Line(text, string.Empty);
        Line(text, "Does the stated range hold? Inputs removed from charts that had them; how often the 80 % plausible range then stated contains the estimate of the chart as it was (about 8 in 10 is honest), with its 95 % interval over resamples of patients:");
        Line(text, string.Empty);
        if (local is null)
        {
            Line(text, "| inputs removed | charts | range contains the charted estimate | estimate above the range | below it |");
            Line(text, "|---|---:|---:|---:|---:|");
            foreach (var c in coverage)
            {
                Line(text, $"| {c.Mask} | {c.Rows:N0} | {Cell(c)} |");
            }
        }
        else
        {
            Line(text, F($"With the model's completions, and refitted on these charts as `recalibrate --completions local` refits them (each input's distribution, then the range's margins, ADR 0015), cross-validated over {local.Max(l => l.Folds)} patient folds (one a patient when the charts are few):"));
            Line(text, string.Empty);
            Line(text, "| inputs removed | charts | range holds it | above | below | refitted: range holds it | above | below |");
            Line(text, "|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (c, l) in coverage.Zip(local))
            {
                Line(text, $"| {c.Mask} | {c.Rows:N0} | {Cell(c)} | {Cell(l)} |");
            }
        }

        // Measured before this count existed: nothing to add.
        if (!coverage.Any(c => c.WhereAbnormal is not null))
        {
            return;
        }

        Line(text, string.Empty);
        Line(text, "Where what was removed was abnormal (a lab outside its reference interval, a vital sign outside NEWS2's 0-point band) — the charts a missing value matters most for; an estimate above the range is a risk the range understated:");
        Line(text, string.Empty);
        Line(text, "| inputs removed | abnormal charts | range holds it | above | below |" + (local is null ? string.Empty : " refitted: range holds it | above | below |"));
        Line(text, "|---|---:|---:|---:|---:|" + (local is null ? string.Empty : "---:|---:|---:|"));
        for (var m = 0; m < coverage.Count; m++)
        {
            if (coverage[m].WhereAbnormal is { } a)
            {
                Line(text, $"| {coverage[m].Mask} | {a.Rows:N0} | {Cell(a)} |{(local?[m].WhereAbnormal is { } l ? $" {Cell(l)} |" : string.Empty)}");
            }
        }
    }

    /// <summary>
    /// The range's margins a local refit fitted (ADR 0015): per combination of panels missing entirely that enough patients
    /// showed, how far the range moves (log-odds; negative narrows it), on how many patients and charts.
    /// </summary>
    public static void Margins(StringBuilder text, RangeMargins? margins)
    {
        if (margins is null)
        {
            return;
        }

        var own = margins.Margins.Where(m => m.Extra == 0).OrderByDescending(m => m.Patients).ThenBy(m => RangeMargins.KeyOf(m)).ToList();
        Line(text, string.Empty);
        Line(text, F($"The range's margins fitted on these charts (ADR 0015): {own.Count} of {(1 << margins.Panels.Count) - 1} combinations of panels missing entirely were seen at {RangeMargins.MinPatients} patients or more and are measured on their own charts; the others on the nearest combinations that were. A margin widens the range on both sides by that many log-odds (negative: narrows it) so that it holds the charted estimate for 8 in 10 patients."));
        Line(text, string.Empty);
        Line(text, "| panels missing | patients | charts | margin (log-odds) |");
        Line(text, "|---|---:|---:|---:|");
        foreach (var m in own)
        {
            Line(text, F($"| {string.Join(", ", m.Panels.Select(p => margins.Panels[p].Name))} | {m.Patients:N0} | {m.Charts:N0} | {m.LogOdds:+0.00;-0.00;0.00} |"));
        }
    }

    /// <summary>The report of `clinicalcds evaluate`: a trained model on data it never saw.</summary>
    public static string External(ModelCard card, CardExternalEvaluation evaluation, IReadOnlyList<CardSubgroup> subgroups)
    {
        var text = new StringBuilder();
        Line(text, $"# {card.Name} {card.Version} — evaluation on {evaluation.Data}");
        Line(text, string.Empty);
        FewEvents(text, evaluation.Metrics);
        Line(text, F($"Evaluated {evaluation.EvaluatedAt:yyyy-MM-dd HH:mm} UTC. {evaluation.Summary}"));
        Line(text, string.Empty);
        Line(text, $"Outcome: {card.Outcome}");
        Line(text, string.Empty);
        Performance(text, evaluation.Metrics, evaluation.Baselines, subgroups, null, null);
        Line(text, string.Empty);
        Line(text, F($"Tiers as in the card (chosen on the training data's validation split): moderate from {card.Tiers.Moderate:P1}, high from {card.Tiers.High:P1}."));
        Coverage(text, evaluation.RangeCoverage, evaluation.LocalRangeCoverage);
        return text.ToString();
    }

    /// <summary>
    /// The headline warning when the events are too few to establish performance (issue 32 item 4): fewer than
    /// <see cref="ModelEvaluation.RecommendedEvents"/> (Collins, Ogundimu and Altman, Stat Med 2016;35:214-26).
    /// </summary>
    public static string? FewEventsWarning(CardMetrics m) => m.Positives >= ModelEvaluation.RecommendedEvents ? null
        : F($"Only {m.Positives:N0} events in {m.Rows:N0} rows: at least {ModelEvaluation.RecommendedEvents} are needed to estimate discrimination and calibration with useful precision (Collins, Ogundimu and Altman, Stat Med 2016;35:214-26). These numbers cannot establish how the model performs here; read them with their intervals, as a check that nothing is grossly wrong.");

    private static void FewEvents(StringBuilder text, CardMetrics m)
    {
        if (FewEventsWarning(m) is { } warning)
        {
            Line(text, $"> **{warning}**");
            Line(text, string.Empty);
        }
    }

    /// <summary>One line for a terminal: AUROC, calibration, the baselines' differences.</summary>
    public static string Summary(CardMetrics m, IReadOnlyList<CardBaseline> baselines) =>
        F($"{m.Rows:N0} rows of {m.Patients:N0} patients ({m.Positives:N0} positive): AUROC {m.Auroc.Show("F3")}, calibration-in-the-large {m.CalibrationInTheLarge.Show("F2")}, slope {m.CalibrationSlope.Show("F2")}") +
        string.Concat(baselines.Select(b => $"; {b.Name} {b.Auroc.Show("F3")}, model − {b.Name} {b.ModelMinusBaseline.Show("+0.000;-0.000")}"));

    private static void Performance(StringBuilder text, CardMetrics m, IReadOnlyList<CardBaseline> baselines, IReadOnlyList<CardSubgroup> subgroups, CardBaseline? oracle, double? oracleAuroc)
    {
        Line(text, m.Method);
        Line(text, string.Empty);
        Line(text, "| metric | value (95% CI) |");
        Line(text, "|---|---:|");
        Line(text, F($"| rows / patients / positive | {m.Rows:N0} / {m.Patients:N0} / {m.Positives:N0} |"));
        Line(text, $"| AUROC | {m.Auroc.Show("F3")} |");
        Line(text, $"| AUPRC (average precision) | {m.Auprc.Show("F3")} |");
        Line(text, $"| Brier score | {m.Brier.Show("F4")} |");
        Line(text, $"| calibration-in-the-large (0 = right on average) | {m.CalibrationInTheLarge.Show("F3")} |");
        Line(text, $"| calibration slope (1 = not over- or underfitted) | {m.CalibrationSlope.Show("F3")} |");
        Line(text, $"| expected calibration error (deciles of risk) | {m.ExpectedCalibrationError.Show("F4")} |");
        foreach (var b in baselines)
        {
            Line(text, $"| {b.Name} AUROC (same rows) | {b.Auroc.Show("F3")} |");
            Line(text, $"| model − {b.Name} AUROC (paired) | {b.ModelMinusBaseline.Show("+0.000;-0.000")} |");
        }

        if (oracle is not null)
        {
            Line(text, $"| oracle AUROC (the generator's true probabilities, which know what no record holds) | {oracle.Auroc.Show("F3")} |");
            Line(text, $"| model − oracle AUROC (paired) | {oracle.ModelMinusBaseline.Show("+0.000;-0.000")} |");
        }
        else if (oracleAuroc is { } o)
        {
            Line(text, F($"| oracle AUROC (the generator's true probabilities) | {o:F3} |"));
        }

        Line(text, string.Empty);
        Line(text, "At the tiers (a row is flagged at a tier when its probability is at least the tier's threshold):");
        Line(text, string.Empty);
        Rates(text, m.AtTiers);
        Line(text, string.Empty);
        Line(text, "Calibration curve (deciles of predicted risk):");
        Line(text, string.Empty);
        Line(text, "| decile | rows | mean predicted | observed (95% CI) |");
        Line(text, "|---:|---:|---:|---:|");
        foreach (var (bin, i) in m.CalibrationCurve.Select((b, i) => (b, i)))
        {
            Line(text, F($"| {i + 1} | {bin.Rows:N0} | {bin.MeanPredicted:P1} | {bin.Observed.ShowPercent()} |"));
        }

        Line(text, string.Empty);
        Line(text, "| subgroup | rows | patients | positive | AUROC | observed / expected | mean predicted → observed | sensitivity at high | PPV at high | note |");
        Line(text, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in subgroups)
        {
            var high = s.AtTiers.FirstOrDefault(t => t.Tier == "high");
            Line(text, F($"| {s.Group} | {s.Rows:N0} | {s.Patients:N0} | {s.Positives:N0} | {s.Auroc?.Show("F3") ?? "—"} | {s.ObservedToExpected.Show("F2")} | {s.MeanPredicted:P1} → {s.Observed:P1} | {(high is null ? "—" : high.Sensitivity.ShowPercent())} | {(high is null ? "—" : high.PositivePredictiveValue.ShowPercent())} | {s.Note} |"));
        }

        Line(text, string.Empty);
        Line(text, "![ROC curve](roc.svg) ![Calibration](calibration.svg)");
    }

    private static void Rates(StringBuilder text, IReadOnlyList<CardTierRates> rates)
    {
        Line(text, "| tier | from | alert rate | sensitivity | PPV |");
        Line(text, "|---|---:|---:|---:|---:|");
        foreach (var t in rates)
        {
            Line(text, F($"| {t.Tier} | {t.Threshold:P1} | {t.AlertRate.ShowPercent()} | {t.Sensitivity.ShowPercent()} | {t.PositivePredictiveValue.ShowPercent()} |"));
        }
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
