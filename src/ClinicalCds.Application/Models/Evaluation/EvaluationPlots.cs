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

    private static int MonthsBetween(DateOnly from, DateOnly to) => ((to.Year - from.Year) * 12) + to.Month - from.Month;

    private static string Svg(
        string title, string xLabel, string yLabel, IReadOnlyList<(double X, double Y)> points, bool markers,
        IReadOnlyList<(double X, double Low, double High)>? bars = null, bool diagonal = true, double? reference = null)
    {
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        double Px(double x) => Margin + (x * (Size - (2 * Margin)));
        double Py(double y) => Size - Margin - (y * (Size - (2 * Margin)));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Size}\" height=\"{Size}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"{System.Security.SecurityElement.Escape(title)}\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{System.Security.SecurityElement.Escape(title)}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{Size - (2 * Margin)}\" height=\"{Size - (2 * Margin)}\" fill=\"none\" stroke=\"#888\"/>\n");
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

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Size / 2}\" y=\"{Margin - 14}\" text-anchor=\"middle\" font-size=\"13\">{System.Security.SecurityElement.Escape(title)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Size / 2}\" y=\"{Size - 8}\" text-anchor=\"middle\">{xLabel}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{Size / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {Size / 2})\">{yLabel}</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
