using System.Globalization;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;

namespace ClinicalCds.Application.Monitoring;

/// <summary>
/// Monitoring:Performance — when the outcome monitoring raises an alarm on a served model's discrimination or calibration
/// (issue 32 item 4). Judged over a rolling window: the latest months, whole, until they hold <see cref="MinimumEvents"/>
/// events (a small hospital's window is longer), at most <see cref="MaximumMonths"/>; never on fewer events.
/// </summary>
public sealed class PerformanceAlarmOptions
{
    public const string Section = "Monitoring:Performance";

    /// <summary>Events the window must hold before anything is judged: 100 (Collins, Ogundimu and Altman, Stat Med 2016).</summary>
    public int MinimumEvents { get; set; } = 100;

    /// <summary>How far back the window may reach to gather them.</summary>
    public int MaximumMonths { get; set; } = 12;

    /// <summary>
    /// An AUROC alarm when the window's AUROC is significantly below the model card's test AUROC (its interval's upper end
    /// below it) and by more than this.
    /// </summary>
    public double AurocDrop { get; set; } = 0.05;

    /// <summary>A calibration alarm when calibration-in-the-large is significantly off 0 (its interval excludes 0) and by more than this (the go-live bound).</summary>
    public double CalibrationInTheLarge { get; set; } = 0.2;

    /// <summary>A calibration alarm when the slope is significantly below this (its interval's upper end below it): risks too extreme.</summary>
    public double MinimumSlope { get; set; } = 0.8;
}

/// <summary>A served method's performance over its rolling window and the alarms it raises (none when too few events).</summary>
public sealed record PerformanceCheck(
    string Model, string Method, DateOnly From, DateOnly Until, DateTimeOffset ComputedAt, CardMetrics? Metrics, double CardAuroc, IReadOnlyList<string> Alarms)
{
    /// <summary>What the check says in one line (the monitoring page, /health/ready).</summary>
    public string Summary => Metrics is not { } m
        ? F($"{Method}: fewer than the events needed to judge ({From:yyyy-MM} to {Until:yyyy-MM})")
        : F($"{Method}, {From:yyyy-MM} to {Until:yyyy-MM}: {m.Positives} events, AUROC {m.Auroc.Value:0.000} (card {CardAuroc:0.000}), calibration-in-the-large {m.CalibrationInTheLarge.Value:0.00}, slope {m.CalibrationSlope.Value:0.00}")
            + (Alarms.Count == 0 ? "; no alarm" : $"; ALARM: {string.Join("; ", Alarms)}");

    /// <summary>
    /// The check of <paramref name="method"/> over <paramref name="rows"/> (its labelled, timely targets with their
    /// scoring month), against <paramref name="card"/>'s test AUROC.
    /// </summary>
    public static PerformanceCheck Judge(
        string model, string method, IReadOnlyList<(DateOnly Month, EvaluatedRow Row)> rows, ModelCard card, PerformanceAlarmOptions options, DateTimeOffset now, CardTiers tiers)
    {
        var months = rows.Select(r => r.Month).Distinct().OrderDescending().Take(options.MaximumMonths).ToList();
        var window = new List<DateOnly>();
        var events = 0;
        foreach (var month in months)
        {
            window.Add(month);
            events += rows.Count(r => r.Month == month && r.Row.Outcome);
            if (events >= options.MinimumEvents)
            {
                break;
            }
        }

        var (from, until) = window.Count == 0 ? (default, default) : (window[^1], window[0]);
        if (events < options.MinimumEvents)
        {
            return new PerformanceCheck(model, method, from, until, now, null, card.Test.Auroc.Value, []);
        }

        var metrics = ModelEvaluation.Evaluate([.. rows.Where(r => window.Contains(r.Month)).Select(r => r.Row)], [], tiers).Metrics;
        var alarms = new List<string>();
        var (auroc, citl, slope) = (metrics.Auroc, metrics.CalibrationInTheLarge, metrics.CalibrationSlope);
        if (auroc.High < card.Test.Auroc.Value && auroc.Value < card.Test.Auroc.Value - options.AurocDrop)
        {
            alarms.Add(F($"AUROC {auroc.Value:0.000} ({auroc.Low:0.000}–{auroc.High:0.000}) is below the card's {card.Test.Auroc.Value:0.000} by more than {options.AurocDrop:0.00}"));
        }

        if ((citl.Low > 0 || citl.High < 0) && Math.Abs(citl.Value) > options.CalibrationInTheLarge)
        {
            alarms.Add(F($"calibration-in-the-large {citl.Value:0.00} ({citl.Low:0.00} to {citl.High:0.00}): risks {(citl.Value > 0 ? "too low" : "too high")} on average"));
        }

        if (slope.High < options.MinimumSlope)
        {
            alarms.Add(F($"calibration slope {slope.Value:0.00} ({slope.Low:0.00}–{slope.High:0.00}) below {options.MinimumSlope:0.00}: risks too extreme"));
        }

        return new PerformanceCheck(model, method, from, until, now, metrics, card.Test.Auroc.Value, alarms);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
