using System.Globalization;
using System.Net;
using System.Text;
using ClinicalCds.Application.Worklist;

namespace ClinicalCds.Api.Worklist;

/// <summary>
/// A server-rendered SVG line of a patient's scores across runs (probability; the tier when a run had none) on a time
/// axis: runs are placed by their instants, so a week's gap looks like a week, and the axis names its first, middle
/// and last instants — as dates when the runs span days, with the time of day when they fall within two days.
/// </summary>
public static class TrendChart
{
    private const int Width = 560, Height = 170, Left = 44, Right = 40, Top = 12, Bottom = 28;

    /// <summary>Within this of the last point drawn, a run that gives the same answer is the same point.</summary>
    public static readonly TimeSpan SameAnswerWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// The points to draw: a run that repeats the last drawn point's probability and tier within <see cref="SameAnswerWindow"/>
    /// of it — a restarted demo, a `score` run by hand minutes after the nightly one — adds no point (issue 35 item 5).
    /// </summary>
    public static List<ScorePoint> Distinct(IEnumerable<ScorePoint> ordered)
    {
        var drawn = new List<ScorePoint>();
        foreach (var point in ordered)
        {
            if (drawn.Count > 0 && drawn[^1] is var last && last.Probability == point.Probability && last.Tier == point.Tier && point.AsOf - last.AsOf < SameAnswerWindow)
            {
                continue;
            }

            drawn.Add(point);
        }

        return drawn;
    }

    public static string Svg(string label, IReadOnlyList<ScorePoint> allPoints)
    {
        // A run with insufficient data has no value to plot; it is left out of the line (the history lists it).
        var points = Distinct(allPoints.Where(p => p.Tier != "insufficient").OrderBy(p => p.AsOf));
        var values = points.Select(p => p.Probability ?? p.Tier switch { "high" => 0.9, "moderate" => 0.5, _ => 0.1 }).ToList();
        var max = Math.Max(0.1, Math.Ceiling(values.DefaultIfEmpty(0).Max() * 10) / 10);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var first = points.Count > 0 ? points[0].AsOf : default;
        var span = points.Count > 0 ? points[^1].AsOf - first : TimeSpan.Zero;
        double X(DateTimeOffset at) => Left + (span <= TimeSpan.Zero ? plotWidth / 2.0 : (at - first) / span * plotWidth);
        double Y(double v) => Top + plotHeight * (1 - v / max);
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        var format = span < TimeSpan.FromDays(2) ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd";

        var description = points.Count == 0
            ? "no scores yet"
            : string.Join("; ", points.Select(p => $"{p.AsOf.ToString(format, CultureInfo.InvariantCulture)} {(p.Probability is { } pr ? pr.ToString("0%", CultureInfo.InvariantCulture) : p.Tier)}"));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {Width} {Height}" width="100%" style="max-width:{Width}px" role="img" aria-label="{WebUtility.HtmlEncode($"{label}: {description}")}">""");
        foreach (var tick in new[] { 0, 0.5, 1 })
        {
            var y = Y(tick * max);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{Width - Right}" y1="{F(y)}" y2="{F(y)}" stroke="#d0d7de"/><text x="{Left - 6}" y="{F(y + 4)}" font-size="11" text-anchor="end" fill="#4a5560">{(tick * max).ToString("0%", CultureInfo.InvariantCulture)}</text>""");
        }

        if (points.Count == 0)
        {
            return svg.Append("</svg>").ToString();
        }

        // The time axis: one label for a single instant, else the first, middle and last instants (UTC).
        DateTimeOffset[] ticks = span <= TimeSpan.Zero ? [first] : [first, first + (span / 2), points[^1].AsOf];
        foreach (var at in ticks)
        {
            var x = X(at);
            var anchor = span <= TimeSpan.Zero || (at > first && at < points[^1].AsOf) ? "middle" : at == first ? "start" : "end";
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{F(x)}" x2="{F(x)}" y1="{Height - Bottom}" y2="{Height - Bottom + 4}" stroke="#4a5560"/><text class="time-tick" x="{F(x)}" y="{Height - 8}" font-size="11" text-anchor="{anchor}" fill="#4a5560">{at.UtcDateTime.ToString(format, CultureInfo.InvariantCulture)}</text>""");
        }

        svg.Append("""<polyline fill="none" stroke="#0b5cad" stroke-width="2" points=" """.TrimEnd());
        svg.AppendJoin(' ', points.Select((p, i) => $"{F(X(p.AsOf))},{F(Y(values[i]))}"));
        svg.Append("\"/>");
        for (var i = 0; i < points.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{F(X(points[i].AsOf))}" cy="{F(Y(values[i]))}" r="3.5" fill="#0b5cad"><title>{points[i].AsOf.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {(points[i].Probability is { } p ? p.ToString("0.0%", CultureInfo.InvariantCulture) : points[i].Tier)} ({points[i].Tier})</title></circle>""");
        }

        return svg.Append("</svg>").ToString();
    }
}
