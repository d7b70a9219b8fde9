using System.Globalization;
using System.Net;
using System.Text;
using ClinicalCds.Application.Worklist;

namespace ClinicalCds.Api.Worklist;

/// <summary>A server-rendered SVG line of a patient's scores across runs (probability; the tier when a run had none).</summary>
public static class TrendChart
{
    private const int Width = 560, Height = 170, Left = 44, Right = 12, Top = 12, Bottom = 28;

    public static string Svg(string label, IReadOnlyList<ScorePoint> allPoints)
    {
        // A run with insufficient data has no value to plot; it is left out of the line (the history lists it).
        var points = allPoints.Where(p => p.Tier != "insufficient").ToList();
        var values = points.Select(p => p.Probability ?? p.Tier switch { "high" => 0.9, "moderate" => 0.5, _ => 0.1 }).ToList();
        var max = Math.Max(0.1, Math.Ceiling(values.DefaultIfEmpty(0).Max() * 10) / 10);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(int i) => Left + (points.Count == 1 ? plotWidth / 2.0 : i * plotWidth / (double)(points.Count - 1));
        double Y(double v) => Top + plotHeight * (1 - v / max);
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var description = points.Count == 0
            ? "no scores yet"
            : string.Join("; ", points.Select((p, i) => $"{p.AsOf:yyyy-MM-dd} {(p.Probability is { } pr ? pr.ToString("0%", CultureInfo.InvariantCulture) : p.Tier)}"));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {Width} {Height}" width="100%" style="max-width:{Width}px" role="img" aria-label="{WebUtility.HtmlEncode($"{label}: {description}")}">""");
        foreach (var tick in new[] { 0, 0.5, 1 })
        {
            var y = Y(tick * max);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{Width - Right}" y1="{F(y)}" y2="{F(y)}" stroke="#d0d7de"/><text x="{Left - 6}" y="{F(y + 4)}" font-size="11" text-anchor="end" fill="#4a5560">{(tick * max).ToString("0%", CultureInfo.InvariantCulture)}</text>""");
        }

        if (points.Count > 0)
        {
            svg.Append("""<polyline fill="none" stroke="#0b5cad" stroke-width="2" points=" """.TrimEnd());
            svg.AppendJoin(' ', values.Select((v, i) => $"{F(X(i))},{F(Y(v))}"));
            svg.Append("\"/>");
            for (var i = 0; i < points.Count; i++)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{F(X(i))}" cy="{F(Y(values[i]))}" r="3.5" fill="#0b5cad"><title>{points[i].AsOf:yyyy-MM-dd}: {(points[i].Probability is { } p ? p.ToString("0.0%", CultureInfo.InvariantCulture) : points[i].Tier)} ({points[i].Tier})</title></circle>""");
            }

            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left}" y="{Height - 8}" font-size="11" fill="#4a5560">{points[0].AsOf:yyyy-MM-dd}</text>""");
            if (points.Count > 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Width - Right}" y="{Height - 8}" font-size="11" text-anchor="end" fill="#4a5560">{points[^1].AsOf:yyyy-MM-dd}</text>""");
            }
        }

        return svg.Append("</svg>").ToString();
    }
}
