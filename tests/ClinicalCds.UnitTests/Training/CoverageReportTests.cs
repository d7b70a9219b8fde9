using System.Text;
using ClinicalCds.Application.Models;
using ClinicalCds.Training;

namespace ClinicalCds.UnitTests.Training;

/// <summary>How a report tells whether the stated range holds (issue 31 item 2), and where what was removed was abnormal.</summary>
public sealed class CoverageReportTests
{
    private const string Blood = "blood count (hemoglobin, white cells)";

    [Fact]
    public void The_charts_where_what_was_removed_was_abnormal_get_a_table_of_their_own_beside_the_refitted_count()
    {
        IReadOnlyList<CardRangeCoverage> shipped =
        [
            new CardRangeCoverage(Blood, 60, 32, 27) { WhereAbnormal = new CardRangeCoverage(Blood, 53, 25, 27) },
            new CardRangeCoverage("conditions", 51, 38, 5),
        ];
        IReadOnlyList<CardRangeCoverage> local =
        [
            new CardRangeCoverage(Blood, 60, 45, 9) { Folds = 22, WhereAbnormal = new CardRangeCoverage(Blood, 53, 42, 9) },
            new CardRangeCoverage("conditions", 51, 44, 5) { Folds = 22 },
        ];
        var text = new StringBuilder();

        EvaluationReport.Coverage(text, shipped, local);

        var lines = text.ToString().Split('\n');
        var abnormal = Array.FindIndex(lines, l => l.StartsWith("Where what was removed was abnormal", StringComparison.Ordinal));
        Assert.True(abnormal > 0, text.ToString());
        // The whole table first (60 charts: 32 held, 27 above, 1 below → refitted 45, 9, 6), then the abnormal 53 of them
        // (25 held, 27 above, 1 below → 42, 9, 2); conditions have no normal values and no row there.
        Assert.Contains($"| {Blood} | 60 | 32 (53 %) | 27 | 1 | 45 (75 %) | 9 | 6 |", lines[..abnormal]);
        Assert.Equal(
            ["| inputs removed | abnormal charts | range holds it | above | below | refitted: range holds it | above | below |",
             "|---|---:|---:|---:|---:|---:|---:|---:|",
             $"| {Blood} | 53 | 25 (47 %) | 27 | 1 | 42 (79 %) | 9 | 2 |"],
            lines[(abnormal + 2)..].Where(l => l.Length > 0));
    }

    [Fact]
    public void A_coverage_measured_before_the_abnormal_count_existed_reports_without_it()
    {
        var text = new StringBuilder();

        EvaluationReport.Coverage(text, [new CardRangeCoverage(Blood, 985, 800, 100)]);

        Assert.Contains($"| {Blood} | 985 | 800 (81 %) | 100 | 85 |", text.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("abnormal", text.ToString(), StringComparison.Ordinal);
    }
}
