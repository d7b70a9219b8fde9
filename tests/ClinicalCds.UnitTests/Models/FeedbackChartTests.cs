using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalCds.Application.Models.Evaluation;

namespace ClinicalCds.UnitTests.Models;

/// <summary>The feedback-over-time chart (issue 22 item 6): each month's cards as shares accepted, overridden and unanswered.</summary>
public sealed partial class FeedbackChartTests
{
    [GeneratedRegex("<rect x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"[0-9.]+\" height=\"([0-9.]+)\" fill=\"[^\"]+\"><title>([^<]+)</title>")]
    private static partial Regex Bar();

    [Fact]
    public void Each_month_stacks_its_shares_to_the_full_height_in_the_order_accepted_overridden_unanswered_and_months_are_spaced_by_date()
    {
        var svg = EvaluationPlots.FeedbackOverTimeSvg(
            [(new DateOnly(2026, 1, 1), 10, 3, 2), (new DateOnly(2026, 4, 1), 4, 4, 0), (new DateOnly(2026, 2, 1), 0, 0, 0)], "readmission-risk: cards by month");

        var bars = Bar().Matches(svg).Select(m => (X: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Y: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            Height: double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), Title: m.Groups[4].Value)).ToList();

        // January: 30 % accepted, 20 % overridden, 50 % unanswered of a 280-pixel plot; April: all accepted; February showed nothing.
        Assert.Equal(["2026-01: accepted 30 % of 10", "2026-01: overridden 20 % of 10", "2026-01: not answered 50 % of 10", "2026-04: accepted 100 % of 4"], bars.Select(b => b.Title));
        Assert.Equal([84, 56, 140, 280], bars.Select(b => Math.Round(b.Height)));
        Assert.Equal(320, bars[0].Y + bars[0].Height, 6); // stacked from the bottom of the plot
        Assert.Equal(bars[0].Y, bars[1].Y + bars[1].Height, 6);
        Assert.Equal(40, bars[2].Y, 6); // to the top: 100 %
        Assert.True(bars[3].X > bars[0].X);
        Assert.Contains("2026-01 to 2026-04", svg, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"readmission-risk: cards by month\"", svg, StringComparison.Ordinal);
    }
}
