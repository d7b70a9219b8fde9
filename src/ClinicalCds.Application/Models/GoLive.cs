using System.Globalization;

namespace ClinicalCds.Application.Models;

/// <summary>
/// Models:GoLive — when a model version may show cards (issue 32 item 3). Until a version is live at this site it runs
/// silent: scored, recorded and monitored like any other, but its hook answers carry no card. A version goes live with
/// `clinicalcds models go-live` (or the models page) when a local evaluation recorded in its card
/// (`clinicalcds evaluate --record`) meets these minimums, or when a named administrator accepts it without one, with a
/// reason; both are audited.
/// </summary>
public sealed class GoLiveOptions
{
    public const string Section = "Models:GoLive";

    /// <summary>
    /// False only for a demonstration or a test bed: every version shows cards, and each card says it has not been
    /// validated on this hospital's patients.
    /// </summary>
    public bool Required { get; set; } = true;

    /// <summary>
    /// Events the local evaluation must count: at least 100 for an external validation to estimate discrimination and
    /// calibration with useful precision (Collins, Ogundimu and Altman, Stat Med 2016;35:214-26).
    /// </summary>
    public int MinimumEvents { get; set; } = 100;

    /// <summary>
    /// How far the calibration-in-the-large (logit offset) may lie from 0. Riley et al. size an external validation to
    /// estimate observed/expected within a confidence interval of width 0.2 (Stat Med 2021;40:4230-51): a model off by
    /// more than ±0.2 on the logit scale is off by more than that precision can explain.
    /// </summary>
    public double MaximumCalibrationInTheLarge { get; set; } = 0.2;

    /// <summary>
    /// The calibration slope's bounds: 1 is calibrated, below 1 risks too extreme (Van Calster et al., J Clin Epidemiol
    /// 2016;74:167-76); Riley et al. 2021 size a validation to estimate it within an interval of width 0.2, so ±0.2 is what
    /// such a validation can tell from 1.
    /// </summary>
    public double MinimumSlope { get; set; } = 0.8;

    public double MaximumSlope { get; set; } = 1.2;
}

/// <summary>Whether a recorded evaluation is the evidence a version needs to go live (<see cref="GoLiveOptions"/>).</summary>
public static class GoLive
{
    /// <summary>Why <paramref name="evaluation"/> falls short of the minimums; empty when it meets them.</summary>
    public static IReadOnlyList<string> Shortfalls(CardExternalEvaluation evaluation, GoLiveOptions options)
    {
        var m = evaluation.Metrics;
        var shortfalls = new List<string>();
        if (m.Positives < options.MinimumEvents)
        {
            shortfalls.Add(F($"{m.Positives} events (at least {options.MinimumEvents})"));
        }

        if (!(Math.Abs(m.CalibrationInTheLarge.Value) <= options.MaximumCalibrationInTheLarge))
        {
            shortfalls.Add(F($"calibration-in-the-large {m.CalibrationInTheLarge.Value:0.00} (within ±{options.MaximumCalibrationInTheLarge:0.00})"));
        }

        if (!(m.CalibrationSlope.Value >= options.MinimumSlope && m.CalibrationSlope.Value <= options.MaximumSlope))
        {
            shortfalls.Add(F($"calibration slope {m.CalibrationSlope.Value:0.00} ({options.MinimumSlope:0.00} to {options.MaximumSlope:0.00})"));
        }

        return shortfalls;
    }

    /// <summary>
    /// The most recent recorded evaluation of <paramref name="card"/> that meets the minimums, or null with what each
    /// recorded evaluation lacks ("none recorded" when there is none).
    /// </summary>
    public static (CardExternalEvaluation? Meets, string Summary) Evidence(ModelCard card, GoLiveOptions options)
    {
        var recorded = card.ExternalEvaluations ?? [];
        if (recorded.LastOrDefault(e => Shortfalls(e, options).Count == 0) is { } meets)
        {
            return (meets, F($"{meets.Data} ({meets.EvaluatedAt:yyyy-MM-dd}): {meets.Metrics.Positives} events, calibration-in-the-large {meets.Metrics.CalibrationInTheLarge.Value:0.00}, slope {meets.Metrics.CalibrationSlope.Value:0.00}"));
        }

        return (null, recorded.Count == 0
            ? "no local evaluation is recorded in its card (clinicalcds evaluate --record)"
            : string.Join("; ", recorded.Select(e => $"{e.Data}: {string.Join(", ", Shortfalls(e, options))}")));
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Models:Promotion — what a candidate must show in shadow before it replaces the active version (issue 32 item 3):
/// scored beside it on at least <see cref="MinimumEvents"/> targets with the outcome, and not significantly worse — the
/// paired difference in AUROC (candidate − active, patient bootstrap on the same targets) has an interval reaching 0 or
/// above. Otherwise the promotion needs an override, audited as one.
/// </summary>
public sealed class PromotionOptions
{
    public const string Section = "Models:Promotion";

    /// <summary>Events in shadow: 100, the minimum for comparing discrimination with useful precision (Collins, Ogundimu and Altman, Stat Med 2016).</summary>
    public int MinimumEvents { get; set; } = 100;
}

/// <summary>A candidate's shadow evidence against the active version, and whether it allows a promotion.</summary>
public sealed record ShadowEvidence(int Targets, int Events, CardEstimate? ActiveAuroc, CardEstimate? Difference)
{
    /// <summary>Why the evidence does not allow a promotion; null when it does.</summary>
    public string? Shortfall(PromotionOptions options) =>
        Events < options.MinimumEvents ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Events} events in shadow (at least {options.MinimumEvents})")
        : Difference is not { } d || double.IsNaN(d.High) ? "the paired difference in AUROC is not estimable"
        : d.High < 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"significantly worse than the active version (AUROC difference {d.Value:+0.000;-0.000} ({d.Low:+0.000;-0.000} to {d.High:+0.000;-0.000}))")
        : null;

    /// <summary>The evidence in one line, as the audit trail and the CLI say it.</summary>
    public string Summary => Difference is { Value: 0, Low: 0, High: 0 }
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Targets} targets in shadow, {Events} events; AUROC candidate − active 0 (the two rank every target alike, as a recalibration does)")
        : Difference is { } d && !double.IsNaN(d.Value)
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Targets} targets in shadow, {Events} events; AUROC candidate − active {d.Value:+0.000;-0.000} ({d.Low:+0.000;-0.000} to {d.High:+0.000;-0.000})")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Targets} targets in shadow, {Events} events");

    /// <summary>The candidate's labelled shadow scores (with the active version's probability beside each), compared paired.</summary>
    public static ShadowEvidence Of(IReadOnlyList<(string PatientId, double Candidate, double Active, bool Outcome)> paired)
    {
        var events = paired.Count(p => p.Outcome);
        if (events == 0 || events == paired.Count)
        {
            return new ShadowEvidence(paired.Count, events, null, null);
        }

        var rows = paired.Select(p => new Evaluation.EvaluatedRow(p.PatientId, p.Candidate, p.Outcome, [p.Active], [])).ToList();
        var baseline = Evaluation.ModelEvaluation.Evaluate(rows, ["active"], new CardTiers(1, 1, "none")).Baselines.Single();
        return new ShadowEvidence(paired.Count, events, baseline.Auroc, RankIdentically(paired) ? new CardEstimate(0, 0, 0) : baseline.ModelMinusBaseline);
    }

    /// <summary>
    /// Whether the two versions order every pair of targets alike (ties included): then their AUROCs are equal in every
    /// resample, and the difference is exactly 0 — not "not estimable". A recalibrated candidate (a monotone map of the
    /// same trees) is the common case.
    /// </summary>
    private static bool RankIdentically(IReadOnlyList<(string PatientId, double Candidate, double Active, bool Outcome)> paired)
    {
        var sorted = paired.OrderBy(p => p.Candidate).ThenBy(p => p.Active).ToList();
        return sorted.Zip(sorted.Skip(1)).All(pair => pair.First.Candidate == pair.Second.Candidate
            ? pair.First.Active == pair.Second.Active
            : pair.First.Active < pair.Second.Active);
    }
}
