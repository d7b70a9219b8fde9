using System.Globalization;
using System.Text;

namespace ClinicalCds.Training.Evaluation;

/// <summary>The ROC curve and the calibration plot of a test split, as small self-contained SVG files.</summary>
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

    public static string CalibrationSvg(IReadOnlyList<(double Probability, bool Outcome)> predictions, string title, int bins = 10)
    {
        var points = predictions
            .GroupBy(p => Math.Min(bins - 1, (int)(p.Probability * bins)))
            .OrderBy(g => g.Key)
            .Select(g => (g.Average(p => p.Probability), g.Average(p => p.Outcome ? 1.0 : 0.0)))
            .ToList();
        return Svg(title, "predicted probability", "observed rate", points, markers: true);
    }

    private static string Svg(string title, string xLabel, string yLabel, IReadOnlyList<(double X, double Y)> points, bool markers)
    {
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        double Px(double x) => Margin + (x * (Size - (2 * Margin)));
        double Py(double y) => Size - Margin - (y * (Size - (2 * Margin)));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Size}\" height=\"{Size}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{System.Security.SecurityElement.Escape(title)}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{Size - (2 * Margin)}\" height=\"{Size - (2 * Margin)}\" fill=\"none\" stroke=\"#888\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(0))}\" y1=\"{F(Py(0))}\" x2=\"{F(Px(1))}\" y2=\"{F(Py(1))}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"))}\"/>\n");
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
