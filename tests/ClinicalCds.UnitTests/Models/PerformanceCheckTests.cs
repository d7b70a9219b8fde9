using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Application.Monitoring;

namespace ClinicalCds.UnitTests.Models;

/// <summary>Alarms on a served model's discrimination and calibration over a rolling window (issue 32 item 4).</summary>
public sealed class PerformanceCheckTests
{
    private static readonly CardTiers Tiers = new(0.2, 0.4, "test");

    private static ModelCard Card(double auroc) => new(
        "readmission", "1.0.0", "test", "test", "catalog", "Features", "Score.output", "test", [], "test", new Dictionary<string, object>(),
        new CardCalibration("platt", 0, 1, "test"),
        new CardMetrics(1000, 500, 150, new(auroc, auroc - 0.02, auroc + 0.02), new(0.3, 0.3, 0.3), new(0.1, 0.1, 0.1), new(0, -0.1, 0.1), new(1, 0.9, 1.1), new(0.02, 0.01, 0.03), [], [], "bootstrap"),
        [], null, [], Tiers, "x", "test");

    /// <summary>
    /// <paramref name="perMonth"/> targets a month for <paramref name="months"/> months up to 2026-11, a fifth with the
    /// outcome; the served risk carries <paramref name="signal"/> of the outcome and is off by <paramref name="shift"/> in log-odds.
    /// </summary>
    private static List<(DateOnly Month, EvaluatedRow Row)> Served(int months, int perMonth, double signal, double shift = 0, int seed = 5)
    {
        var random = new Random(seed);
        var rows = new List<(DateOnly, EvaluatedRow)>();
        for (var m = 0; m < months; m++)
        {
            var month = new DateOnly(2026, 11, 1).AddMonths(-m);
            for (var i = 0; i < perMonth; i++)
            {
                var outcome = random.NextDouble() < 0.2;
                var logit = -1.4 + (outcome ? signal : 0) + ((2 * random.NextDouble()) - 1) - (outcome ? signal * 0.2 : -signal * 0.05) + shift;
                rows.Add((month, new EvaluatedRow($"p{m}-{i}", 1 / (1 + Math.Exp(-logit)), outcome, [], [])));
            }
        }

        return rows;
    }

    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-06T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_small_hospital_is_judged_over_as_many_whole_months_as_hold_100_events_and_not_at_all_on_fewer()
    {
        // About 12 events a month: the window reaches back until it holds 100 (about 9 months).
        var check = PerformanceCheck.Judge("readmission", "readmission model 1.0.0", Served(12, 60, 1.5), Card(0.75), new PerformanceAlarmOptions(), Now, Tiers);
        Assert.NotNull(check.Metrics);
        Assert.True(check.Metrics!.Positives >= 100, check.Summary);
        Assert.Equal(new DateOnly(2026, 11, 1), check.Until);
        Assert.True(check.From > new DateOnly(2025, 12, 1) && check.From < new DateOnly(2026, 6, 1), check.Summary);

        // Three months of it: too few events to judge anything, and so no alarm.
        var short_ = PerformanceCheck.Judge("readmission", "readmission model 1.0.0", Served(3, 60, 0), Card(0.95), new PerformanceAlarmOptions(), Now, Tiers);
        Assert.Null(short_.Metrics);
        Assert.Empty(short_.Alarms);
        Assert.EndsWith("fewer than the events needed to judge (2026-09 to 2026-11)", short_.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Discrimination_significantly_below_the_card_and_risks_off_on_average_raise_alarms_and_a_model_as_good_as_its_card_none()
    {
        var options = new PerformanceAlarmOptions();
        var good = Served(6, 200, 0.8);
        var goodAuroc = Metrics.Auroc([.. good.Select(r => r.Row.Probability)], [.. good.Select(r => r.Row.Outcome)]);
        var fine = PerformanceCheck.Judge("readmission", "m", good, Card(goodAuroc), options, Now, Tiers);
        Assert.DoesNotContain(fine.Alarms, a => a.StartsWith("AUROC", StringComparison.Ordinal));

        // The same served risks against a card that promised 0.95: significantly lower, by more than 0.05.
        var promised = PerformanceCheck.Judge("readmission", "m", good, Card(0.95), options, Now, Tiers);
        Assert.Contains(promised.Alarms, a => a.StartsWith("AUROC ", StringComparison.Ordinal) && a.EndsWith("is below the card's 0.950 by more than 0.05", StringComparison.Ordinal));
        Assert.Contains("ALARM: AUROC", promised.Summary, StringComparison.Ordinal);

        // Risks 1.5 log-odds too high on average: calibration-in-the-large far below 0.
        var high = PerformanceCheck.Judge("readmission", "m", Served(6, 200, 1.5, shift: 1.5), Card(goodAuroc), options, Now, Tiers);
        Assert.Contains(high.Alarms, a => a.StartsWith("calibration-in-the-large -", StringComparison.Ordinal) && a.EndsWith("risks too high on average", StringComparison.Ordinal));
    }
}
