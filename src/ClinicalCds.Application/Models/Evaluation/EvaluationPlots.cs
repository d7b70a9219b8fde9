using ClinicalCds.Application.Models;
using System.Globalization;
using System.Text;

namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>The ROC curve and the calibration plot of an evaluation, as small self-contained SVG files.</summary>
public static class EvaluationPlots
{
    private const int Size = 360;
    private const int Margin = 40;

    public static string RocSvg(IReadOnlyList<(double Probability, bool Outcome)> predictions, string title)
    {
        var positives = predictions.Count(p => p.Outcome);
        var negatives = predictions.Count - positives;
        var points = new List<(double X, double Y)> { (0, 0) };
        int tp = 0, fp = 0;
        foreach (var group in predictions.GroupBy(p => p.Probability).OrderByDescending(g => g.Key))
        {
            tp += group.Count(p => p.Outcome);
            fp += group.Count(p => !p.Outcome);
            points.Add((fp / (double)Math.Max(1, negatives), tp / (double)Math.Max(1, positives)));
        }

        return Svg(title, "false positive rate", "true positive rate", points, markers: false);
    }

    /// <summary>Observed against mean predicted risk per decile of predicted risk, each with its bootstrap interval as a bar.</summary>
    public static string CalibrationSvg(IReadOnlyList<CardCalibrationBin> curve, string title)
    {
        // The axes reach a little past the highest decile so that low-risk models are not squeezed into a corner.
        var top = Math.Min(1, Math.Ceiling(curve.Select(b => Math.Max(b.MeanPredicted, double.IsNaN(b.Observed.High) ? b.Observed.Value : b.Observed.High)).DefaultIfEmpty(1).Max() * 10 + 0.5) / 10);
        var points = curve.Select(b => (b.MeanPredicted / top, b.Observed.Value / top)).ToList();
        var bars = curve.Where(b => !double.IsNaN(b.Observed.Low)).Select(b => (b.MeanPredicted / top, b.Observed.Low / top, b.Observed.High / top)).ToList();
        return Svg(title, $"predicted risk (0–{top:P0})", $"observed rate (0–{top:P0})", points, markers: true, bars);
    }

    /// <summary>
    /// AUROC month by month with its interval as a bar, against 0.5 (chance, dashed): the outcome monitoring's chart. The
    /// months are spaced by their dates, a gap where none was scored.
    /// </summary>
    public static string AurocOverTimeSvg(IReadOnlyList<(DateOnly Month, CardEstimate Auroc)> months, string title)
    {
        var shown = months.Where(m => !double.IsNaN(m.Auroc.Value)).OrderBy(m => m.Month).ToList();
        if (shown.Count == 0)
        {
            return Svg(title, "month", "AUROC", [], markers: true, diagonal: false);
        }

        var first = shown[0].Month;
        var span = Math.Max(1, MonthsBetween(first, shown[^1].Month));
        double X(DateOnly month) => shown.Count == 1 ? 0.5 : MonthsBetween(first, month) / (double)span;
        var points = shown.Select(m => (X(m.Month), m.Auroc.Value)).ToList();
        var bars = shown.Where(m => !double.IsNaN(m.Auroc.Low)).Select(m => (X(m.Month), m.Auroc.Low, m.Auroc.High)).ToList();
        var xLabel = shown.Count == 1 ? $"{first:yyyy-MM}" : $"{first:yyyy-MM} to {shown[^1].Month:yyyy-MM}";
        return Svg(title, xLabel, "AUROC (95% CI)", points, markers: true, bars, diagonal: false, reference: 0.5);
    }

    /// <summary>
    /// What clinicians did with the cards shown each month, as shares of those shown: accepted (green, bottom), overridden
    /// (orange) and not answered (grey) stacked to 100 %; months spaced by their dates. The feedback analytics' chart.
    /// </summary>
    public static string FeedbackOverTimeSvg(IReadOnlyList<(DateOnly Month, long Shown, long Accepted, long Overridden)> months, string title)
    {
        var shown = months.Where(m => m.Shown > 0).OrderBy(m => m.Month).ToList();
        var svg = new StringBuilder();
        var xLabel = shown.Count == 0 ? "month" : shown.Count == 1 ? $"{shown[0].Month:yyyy-MM}" : $"{shown[0].Month:yyyy-MM} to {shown[^1].Month:yyyy-MM}";
        Open(svg, title);
        if (shown.Count > 0)
        {
            var span = Math.Max(1, MonthsBetween(shown[0].Month, shown[^1].Month));
            var width = Math.Min(24, (Size - (2 * Margin)) / (double)(span + 1) * 0.8);
            foreach (var (month, total, accepted, overridden) in shown)
            {
                var x = Px(shown.Count == 1 ? 0.5 : MonthsBetween(shown[0].Month, month) / (double)span) - (width / 2);
                var a = accepted / (double)total;
                var o = overridden / (double)total;
                foreach (var (from, to, fill, what) in new[] { (0.0, a, "#2f855a", "accepted"), (a, a + o, "#c05621", "overridden"), (a + o, 1.0, "#cbd5e0", "not answered") })
                {
                    if (to > from)
                    {
                        svg.Append(CultureInfo.InvariantCulture,
                            $"<rect x=\"{F(x)}\" y=\"{F(Py(to))}\" width=\"{F(width)}\" height=\"{F(Py(from) - Py(to))}\" fill=\"{fill}\"><title>{month:yyyy-MM}: {what} {(to - from):P0} of {total:N0}</title></rect>\n");
                    }
                }
            }
        }

        Close(svg, title, xLabel, "share of cards shown: accepted · overridden · no answer");
        return svg.ToString();
    }

    private static int MonthsBetween(DateOnly from, DateOnly to) => ((to.Year - from.Year) * 12) + to.Month - from.Month;

    private static string Svg(
        string title, string xLabel, string yLabel, IReadOnlyList<(double X, double Y)> points, bool markers,
        IReadOnlyList<(double X, double Low, double High)>? bars = null, bool diagonal = true, double? reference = null)
    {
        var svg = new StringBuilder();
        Open(svg, title);
        if (diagonal)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(0))}\" y1=\"{F(Py(0))}\" x2=\"{F(Px(1))}\" y2=\"{F(Py(1))}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n");
        }

        if (reference is { } r)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(0))}\" y1=\"{F(Py(r))}\" x2=\"{F(Px(1))}\" y2=\"{F(Py(r))}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"))}\"/>\n");
        foreach (var (x, low, high) in bars ?? [])
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(x))}\" y1=\"{F(Py(Math.Min(1, low)))}\" x2=\"{F(Px(x))}\" y2=\"{F(Py(Math.Min(1, high)))}\" stroke=\"#1f5fa8\" stroke-opacity=\"0.5\"/>\n");
        }

        if (markers)
        {
            foreach (var (x, y) in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(Px(x))}\" cy=\"{F(Py(y))}\" r=\"3\" fill=\"#1f5fa8\"/>\n");
            }
        }

        Close(svg, title, xLabel, yLabel);
        return svg.ToString();
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static double Px(double x) => Margin + (x * (Size - (2 * Margin)));

    private static double Py(double y) => Size - Margin - (y * (Size - (2 * Margin)));

    /// <summary>The frame every plot shares: the svg element with its accessible name, and the plot area.</summary>
    private static void Open(StringBuilder svg, string title)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Size}\" height=\"{Size}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"{System.Security.SecurityElement.Escape(title)}\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{System.Security.SecurityElement.Escape(title)}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{Size - (2 * Margin)}\" height=\"{Size - (2 * Margin)}\" fill=\"none\" stroke=\"#888\"/>\n");
    }

    /// <summary>The title and axis labels, and the end of the svg element.</summary>
    private static void Close(StringBuilder svg, string title, string xLabel, string yLabel)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Size / 2}\" y=\"{Margin - 14}\" text-anchor=\"middle\" font-size=\"13\">{System.Security.SecurityElement.Escape(title)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Size / 2}\" y=\"{Size - 8}\" text-anchor=\"middle\">{System.Security.SecurityElement.Escape(xLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{Size / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {Size / 2})\">{System.Security.SecurityElement.Escape(yLabel)}</text>\n");
        svg.Append("</svg>\n");
    }
}
