using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalCds.Api.Worklist;
using ClinicalCds.Application.Worklist;

namespace ClinicalCds.IntegrationTests.Worklist;

/// <summary>The trend chart is on a time axis (issue 23 item 6): runs placed by their instants, the axis labelled by them.</summary>
public sealed partial class TrendChartTests
{
    private static ScorePoint Run(long id, string at, double p) => new(id, DateTimeOffset.Parse(at, CultureInfo.InvariantCulture), p, p >= 0.45 ? "high" : "low");

    private static double[] Xs(string svg) =>
        [.. Circle().Matches(svg).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    private static string[] Ticks(string svg) => [.. Tick().Matches(svg).Select(m => m.Groups[1].Value)];

    [Fact]
    public void Runs_are_placed_by_their_dates_not_evenly()
    {
        // Days 0, 1 and 10: the second run is a tenth of the way along, not half-way.
        var svg = TrendChart.Svg("Readmission", [Run(1, "2026-11-01T02:00Z", 0.2), Run(2, "2026-11-02T02:00Z", 0.3), Run(3, "2026-11-11T02:00Z", 0.5)]);
        var x = Xs(svg);
        Assert.Equal(3, x.Length);
        Assert.Equal(0.1, (x[1] - x[0]) / (x[2] - x[0]), 3);
        Assert.Equal(["2026-11-01", "2026-11-06", "2026-11-11"], Ticks(svg));
    }

    [Fact]
    public void Runs_within_two_days_are_labelled_with_their_times_and_never_read_as_one_date_twice()
    {
        var svg = TrendChart.Svg("Deterioration", [Run(1, "2026-06-30T00:00Z", 0.2), Run(2, "2026-06-30T12:00Z", 0.3)]);
        Assert.Equal(["2026-06-30 00:00", "2026-06-30 06:00", "2026-06-30 12:00"], Ticks(svg));
        Assert.Equal(Ticks(svg).Length, Ticks(svg).Distinct().Count());
    }

    [Fact]
    public void A_single_run_sits_in_the_middle_with_one_label_and_runs_come_in_time_order()
    {
        var one = TrendChart.Svg("Readmission", [Run(1, "2026-06-30T00:00Z", 0.2)]);
        Assert.Equal(["2026-06-30 00:00"], Ticks(one));
        var unordered = TrendChart.Svg("Readmission", [Run(2, "2026-07-10T00:00Z", 0.5), Run(1, "2026-07-01T00:00Z", 0.2)]);
        var x = Xs(unordered);
        Assert.True(x[0] < x[1]);
        Assert.Contains("2026-07-01 00:00 UTC: 20.0%", unordered, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_that_repeat_an_answer_within_the_hour_are_one_point_and_a_changed_or_later_answer_is_another()
    {
        // Issue 35 item 5: the nightly run, then a demo restart and a `score` by hand minutes later with the same answer.
        var svg = TrendChart.Svg("Readmission",
        [
            Run(1, "2026-12-06T02:00Z", 0.2), Run(2, "2026-12-06T02:02Z", 0.2), Run(3, "2026-12-06T02:04Z", 0.2),
            Run(4, "2026-12-06T02:06Z", 0.3), Run(5, "2026-12-07T02:00Z", 0.3),
        ]);

        Assert.Equal(3, Xs(svg).Length);
        Assert.Equal([1L, 4, 5], TrendChart.Distinct([Run(1, "2026-12-06T02:00Z", 0.2), Run(2, "2026-12-06T02:02Z", 0.2), Run(4, "2026-12-06T02:06Z", 0.3), Run(5, "2026-12-07T02:00Z", 0.3)]).Select(p => p.RunId));
    }

    [GeneratedRegex("""<circle cx="([0-9.]+)" """)]
    private static partial Regex Circle();

    [GeneratedRegex("""<text class="time-tick"[^>]*>([^<]+)</text>""")]
    private static partial Regex Tick();
}
