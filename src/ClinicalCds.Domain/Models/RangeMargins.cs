namespace ClinicalCds.Domain.Models;

/// <summary>A panel of inputs (<see cref="Features.InputPanels"/>) as a model's input indices.</summary>
public sealed record RangeMarginPanel(string Name, int[] Inputs);

/// <summary>
/// How far the range is moved out (positive) or in (negative) on both sides, in log-odds, for charts missing every input
/// of exactly these <see cref="Panels"/>: measured on <see cref="Charts"/> masked charts of <see cref="Patients"/>
/// patients, missing these panels and at most <see cref="Extra"/> more.
/// </summary>
public sealed record RangeMargin(int[] Panels, double LogOdds, int Charts, int Patients, int Extra);

/// <summary>
/// One masked chart in a margin fit: whose chart it is, which panels miss every input once masked (<see
/// cref="RangeMargins.KeyOf"/>), the estimate for the chart as charted, and the estimate and range stated with the inputs removed.
/// </summary>
public readonly record struct MaskedEstimate(int Patient, int Key, double Charted, double Estimate, double Low, double High);

/// <summary>
/// The stated range made to hold 8 in 10 on a hospital's own charts, without any outcome (issue 31 item 2; ADR 0015):
/// split-conformal calibration of the range (Lei et al., "Distribution-free predictive inference for regression", JASA
/// 2018;113:1094-1111; conformalized quantile regression, Romano, Patterson and Candès, NeurIPS 2019). The charts are
/// masked the ways charts miss inputs (every combination of <see cref="Panels"/>); a chart whose charted estimate falls
/// outside the range then stated scores how far outside it lies, in log-odds. The margin of a combination is the score
/// that (m + 1)·8/10 of its m patients' charts do not exceed (<see cref="Quantile"/>), and the range is moved out by it
/// on both sides — or in, when the completions are wider than these charts need: a further patient's charted estimate
/// then lies within at least 8 times in 10, and not far more. A hemoglobin lower than the model's population would
/// complete is no longer missed; a range that held 97 in 100 states less than it knows no longer.
/// </summary>
public sealed class RangeMargins(IReadOnlyList<RangeMarginPanel> panels, IReadOnlyList<RangeMargin> margins)
{
    public IReadOnlyList<RangeMarginPanel> Panels { get; } = panels ?? [];

    public IReadOnlyList<RangeMargin> Margins { get; } = margins ?? [];

    /// <summary>The share of charts the range may miss: 2 in 10, so that 8 in 10 lie within.</summary>
    public const double MissShare = 0.2;

    /// <summary>A combination seen at fewer patients than this is measured on the nearest combinations that more patients show.</summary>
    public const int MinPatients = 10;

    /// <summary>The furthest a margin moves a side, in log-odds (beyond it every probability is 0 or 1 to the percent).</summary>
    public const double MaxMargin = 8;

    /// <summary>A probability at the charted estimate within this is on it (ONNX Runtime's float32 against the trees' double).</summary>
    private const double Tolerance = 1e-6;

    private readonly Dictionary<int, RangeMargin> _byKey = (margins ?? []).DistinctBy(KeyOf).ToDictionary(KeyOf);

    /// <summary>A margin's combination of panels as the bits of an int.</summary>
    public static int KeyOf(RangeMargin margin) => margin.Panels.Distinct().Sum(p => 1 << p);

    /// <summary>The panels of <paramref name="x"/> missing every input, one bit each.</summary>
    public int KeyOf(IReadOnlyList<double?> x) => KeyOf(Panels, x);

    /// <summary>Of <paramref name="panels"/>, those <paramref name="x"/> misses every input of, one bit each.</summary>
    public static int KeyOf(IReadOnlyList<RangeMarginPanel> panels, IReadOnlyList<double?> x)
    {
        var key = 0;
        for (var p = 0; p < panels.Count; p++)
        {
            if (panels[p].Inputs.All(j => x[j] is null))
            {
                key |= 1 << p;
            }
        }

        return key;
    }

    /// <summary>The margin for charts like <paramref name="x"/>; null when none was measured (the range stays as completed).</summary>
    public RangeMargin? For(IReadOnlyList<double?> x) => _byKey.GetValueOrDefault(KeyOf(x));

    /// <summary>
    /// The range <paramref name="low"/>–<paramref name="high"/> (the completions' range, holding the estimate) moved by the
    /// margin for charts like <paramref name="x"/>, and still holding the estimate.
    /// </summary>
    public (double Low, double High) Apply(IReadOnlyList<double?> x, double estimate, double low, double high)
    {
        if (For(x) is not { } margin)
        {
            return (low, high);
        }

        return (Math.Min(estimate, Logistic.Sigmoid(Logit(low) - margin.LogOdds)), Math.Max(estimate, Logistic.Sigmoid(Logit(high) + margin.LogOdds)));
    }

    /// <summary>
    /// The margin of every combination of panels, measured on the <paramref name="masked"/> charts missing exactly those
    /// panels — or, where they come from fewer than <see cref="MinPatients"/> patients, on those missing them and at
    /// most one more panel, two more, … (the nearest ways of missing that enough patients show).
    /// </summary>
    public static RangeMargins Fit(IReadOnlyList<RangeMarginPanel> panels, IEnumerable<MaskedEstimate> masked)
    {
        if (panels.Count > 30)
        {
            throw new ArgumentException("At most 30 panels: a combination is kept as the bits of an int.", nameof(panels));
        }

        // How far outside the stated range the charted estimate lies, in log-odds: the range holds the estimate, so only one
        // side can miss; −∞ when the charted estimate is the estimate.
        var scored = masked.Where(m => m.Key != 0).Select(m => (m.Key, m.Patient, Score:
            m.Charted < m.Estimate - Tolerance ? Logit(m.Low) - Logit(m.Charted)
            : m.Charted > m.Estimate + Tolerance ? Logit(m.Charted) - Logit(m.High)
            : double.NegativeInfinity)).ToList();
        var margins = new List<RangeMargin>();
        for (var key = 1; key < 1 << panels.Count; key++)
        {
            for (var extra = 0; extra < panels.Count; extra++)
            {
                var pool = scored.Where(s => (s.Key & key) == key && System.Numerics.BitOperations.PopCount((uint)(s.Key & ~key)) <= extra).ToList();
                var patients = pool.Select(s => s.Patient).Distinct().Count();
                if (patients >= MinPatients)
                {
                    margins.Add(new RangeMargin(
                        [.. Enumerable.Range(0, panels.Count).Where(p => (key & (1 << p)) != 0)],
                        Quantile([.. pool.Select(s => s.Score)], [.. pool.Select(s => s.Patient)]), pool.Count, patients, extra));
                    break;
                }
            }
        }

        return new RangeMargins(panels, margins);
    }

    /// <summary>
    /// The conformal quantile over patients, not charts (a patient scored at many instants is one patient; Dunn, Wasserman
    /// and Ramdas, "Distribution-free prediction sets for two-layer hierarchical models", JASA 2023;118:2491-2502): each
    /// chart weighs 1 / its patient's charts, and the margin is the smallest score whose cumulative weight reaches
    /// (1 − <see cref="MissShare"/>)(m + 1) of the m patients' total m — the ⌈(n + 1)(1 − <see cref="MissShare"/>)⌉-th
    /// smallest of n scores when every patient has one chart — within ±<see cref="MaxMargin"/>.
    /// </summary>
    public static double Quantile(IReadOnlyList<double> scores, IReadOnlyList<int> patients)
    {
        var charts = patients.CountBy(p => p).ToDictionary(c => c.Key, c => c.Value);
        var m = charts.Count;
        var needed = (1 - MissShare) * (m + 1);
        var value = MaxMargin;
        if (needed <= m + 1e-9)
        {
            var total = 0.0;
            foreach (var k in Enumerable.Range(0, scores.Count).OrderBy(k => scores[k]))
            {
                total += 1.0 / charts[patients[k]];
                if (total >= needed - 1e-9)
                {
                    value = scores[k];
                    break;
                }
            }
        }

        return Math.Round(Math.Clamp(value, -MaxMargin, MaxMargin), 6);
    }

    private static double Logit(double p) => Logistic.Logit(Math.Clamp(p, 1e-9, 1 - 1e-9));
}
