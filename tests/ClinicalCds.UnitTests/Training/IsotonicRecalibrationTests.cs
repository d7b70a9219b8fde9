using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Training;

namespace ClinicalCds.UnitTests.Training;

/// <summary>The isotonic calibration map and `recalibrate --method isotonic` (issue 32 item 1, ADR 0011).</summary>
public sealed class IsotonicRecalibrationTests
{
    private static readonly CardEstimate None = new(double.NaN, double.NaN, double.NaN);

    [Fact]
    public void Pooling_adjacent_violators_gives_the_blocks_worked_by_hand_with_their_mean_scores_and_Jeffreys_rates()
    {
        // Outcomes in score order 0 1 0 0 1 1 0 1: {2,3} pool to 1/2, then {2,3,4} to 1/3; {5,6} stay at 1, then {5,6,7}
        // pool to 2/3. Blocks {1} 0/1, {2,3,4} 1/3, {5,6,7} 2/3, {8} 1/1, each rate (events + ½) / (rows + 1).
        var knots = IsotonicFit.Fit([1, 2, 3, 4, 5, 6, 7, 8], [false, true, false, false, true, true, false, true]);

        Assert.Equal([1.0, 3, 6, 8], knots.Select(k => k.Score));
        Assert.Equal([0.25, 0.375, 0.625, 0.75], knots.Select(k => k.Probability), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Blocks_whose_Jeffreys_rates_would_fall_are_pooled_again()
    {
        // One event, at score 2: PAV gives {1} 0/1 and {2..101} 1/100, rates 0 < 0.01, but (0 + ½)/2 = 0.25 > (1 + ½)/101 — pooled into 1/101.
        var outcomes = Enumerable.Range(0, 101).Select(i => i == 1).ToArray();
        var knots = IsotonicFit.Fit([.. Enumerable.Range(1, 101).Select(i => (double)i)], outcomes);

        var knot = Assert.Single(knots);
        Assert.Equal(1.5 / 102, knot.Probability, 12);
        Assert.Equal(51, knot.Score, 12);
    }

    [Fact]
    public void Rows_with_one_score_are_one_block_and_the_rates_never_fall_with_the_score()
    {
        var random = new Random(4);
        var scores = Enumerable.Range(0, 2_000).Select(_ => Math.Round((random.NextDouble() * 6) - 3, 1)).ToArray();
        var outcomes = scores.Select(s => random.NextDouble() < Logistic.Sigmoid(s)).ToArray();

        var knots = IsotonicFit.Fit(scores, outcomes);

        Assert.All(knots.Zip(knots.Skip(1)), pair =>
        {
            Assert.True(pair.First.Score < pair.Second.Score);
            Assert.True(pair.First.Probability < pair.Second.Probability);
        });
        // No knot between two neighbouring scores of the grid cuts a tie: each knot is the mean of whole groups of equal scores.
        Assert.True(knots.Count <= scores.Distinct().Count());

        // Worked by hand: at score 1 one event and one not, at 2 an event. As one block the tie is 1/2 → (1 + ½)/3 = 0.5 at
        // score 1 and 1/1 → 0.75 at 2. Read row by row instead, the non-event at 1 would stand alone and the event at 1 pool
        // with the one at 2 — knots (1, 0.25) and (1.5, 0.833) — a map that depends on the order of equal scores.
        var tied = IsotonicFit.Fit([1, 1, 2], [false, true, true]);
        Assert.Equal([(1.0, 0.5), (2.0, 0.75)], tied.Select(k => (k.Score, Math.Round(k.Probability, 12))));
        Assert.Equal(tied, IsotonicFit.Fit([1, 1, 2], [true, false, true]));
    }

    [Fact]
    public void The_map_joins_its_knots_by_straight_lines_is_flat_beyond_them_and_its_secant_carries_a_score_difference_into_log_odds()
    {
        var map = new CardCalibration(CardCalibration.Isotonic, 0, 1, "test") { Knots = [new(-1, 0.1), new(1, 0.3), new(2, 0.6)] };

        Assert.Equal(0.1, map.Probability(-5), 12);
        Assert.Equal(0.1, map.Probability(-1), 12);
        Assert.Equal(0.2, map.Probability(0), 12);
        Assert.Equal(0.45, map.Probability(1.5), 12);
        Assert.Equal(0.6, map.Probability(7), 12);
        Assert.True(map.KeepsOrder);

        // Contributions summing to the score difference, scaled by the secant, sum to the log-odds difference.
        foreach (var (from, to) in new[] { (-0.5, 1.7), (1.7, -0.5), (0.2, 0.2), (3.0, 4.0) })
        {
            Assert.Equal(map.LogOdds(to) - map.LogOdds(from), map.LogOddsPerScore(from, to) * (to - from), 9);
        }

        Assert.Equal(0, map.LogOddsPerScore(3, 4));
        var platt = new CardCalibration(CardCalibration.Platt, -2, 0.7, "test");
        Assert.Equal(0.7, platt.LogOddsPerScore(-3, 9));
        Assert.Equal(Logistic.Sigmoid(-2 + (0.7 * 1.3)), platt.Probability(1.3), 12);
    }

    /// <summary>
    /// Raw scores whose true risk is a step (5 % below 1, 45 % above) — a curve no logistic map of the score can follow:
    /// the isotonic recalibration finds it, cross-validated by patient its calibration error is a fraction of the
    /// logistic one's, and it keeps the model's ranking.
    /// </summary>
    [Fact]
    public void An_isotonic_recalibration_follows_a_risk_curve_the_logistic_map_cannot_and_keeps_the_ranking()
    {
        var random = new Random(11);
        var scores = Enumerable.Range(0, 4_000).Select(_ => (random.NextDouble() * 6) - 3).ToArray();
        var rows = scores.Select((s, i) => Row(i, random.NextDouble() < (s > 1 ? 0.45 : 0.05))).ToList();
        var now = DateTimeOffset.Parse("2026-12-07T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var isotonic = Recalibration.Recalibrate(RiskCatalog.Readmission, Card(), rows, scores, "step", now, "1.1.0", now, method: Recalibration.Isotonic);
        var logistic = Recalibration.Recalibrate(RiskCatalog.Readmission, Card(), rows, scores, "step", now, "1.2.0", now);

        var card = isotonic.Card!;
        Assert.Equal((CardCalibration.Isotonic, Recalibration.Isotonic), (card.Calibration.Method, card.Recalibration!.Method));
        Assert.Contains("isotonic (pooled adjacent violators)", card.Calibration.Note, StringComparison.Ordinal);
        Assert.Equal(0.05, card.Calibration.Probability(-2), 0.03);
        Assert.Equal(0.45, card.Calibration.Probability(2), 0.05);
        var isotonicEce = card.Recalibration.CrossValidated!.ExpectedCalibrationError.Value;
        var logisticEce = logistic.Card!.Recalibration!.CrossValidated!.ExpectedCalibrationError.Value;
        Assert.True(isotonicEce < logisticEce / 2, $"ECE isotonic {isotonicEce:F4}, logistic {logisticEce:F4}");
        // A monotone map keeps the order of the scores: the AUROC before and after agree up to ties the map makes.
        Assert.Equal(card.Recalibration.Before.Auroc.Value, card.Recalibration.After.Auroc.Value, 2);
    }

    [Fact]
    public void Fewer_than_200_events_or_200_without_are_refused_for_an_isotonic_map_and_say_why()
    {
        var random = new Random(2);
        var scores = Enumerable.Range(0, 1_000).Select(_ => random.NextDouble()).ToArray();
        var rows = scores.Select((s, i) => Row(i, i % 6 == 0)).ToList();
        var now = DateTimeOffset.Parse("2026-12-07T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var refused = Recalibration.Recalibrate(RiskCatalog.Readmission, Card(), rows, scores, "small", now, "1.1.0", now, method: Recalibration.Isotonic);

        Assert.Null(refused.Card);
        Assert.StartsWith("167 events and 833 without among 1,000 labelled readmission targets: an isotonic map needs at least 200 of each", refused.Error, StringComparison.Ordinal);
        Assert.NotNull(Recalibration.Recalibrate(RiskCatalog.Readmission, Card(), rows, scores, "small", now, "1.2.0", now).Card);
    }

    private static DatasetRow Row(int i, bool outcome) => new(
        $"p{i}", $"e{i}", DateTimeOffset.UnixEpoch, true, outcome, null,
        new FeatureVector(FeatureCatalog.Version, [.. FeatureCatalog.Features.Select(_ => (double?)null)]),
        RiskCatalog.Readmission.Baselines.ToDictionary(b => b.Name, _ => i % 10));

    private static ModelCard Card() => new(
        "readmission", "1.0.0", "test", "test", FeatureCatalog.Version, "Features", "Score.output", "test", [], "test", new Dictionary<string, object>(),
        new CardCalibration(CardCalibration.Platt, 0, 1, "test"),
        new CardMetrics(0, 0, 0, None, None, None, None, None, None, [], [], "none"), [], null, [], new CardTiers(0.2, 0.4, "test"), "x", "test");
}
