using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Models;

namespace ClinicalCds.UnitTests.Models;

/// <summary>The range's margins on a hospital's charts (issue 31 item 2, ADR 0015): split-conformal, counted by patient.</summary>
public sealed class RangeMarginsTests
{
    private static readonly RangeMarginPanel[] Panels = [new("blood count", [0, 1]), new("albumin", [2]), new("conditions", [3, 4])];

    [Fact]
    public void The_margin_is_the_score_that_eight_in_ten_of_m_plus_one_patients_do_not_exceed()
    {
        // Nine patients, one chart each, scores 1..9: (9 + 1)·0.8 = 8 → the 8th smallest.
        Assert.Equal(8, RangeMargins.Quantile([.. Enumerable.Range(1, 9).Select(k => (double)k)], [.. Enumerable.Range(0, 9)]));
        // Charts whose estimate did not move score −∞ and count as held.
        Assert.Equal(2, RangeMargins.Quantile([double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, 2, 3], [.. Enumerable.Range(0, 9)]));
        // Fewer than four patients cannot bound a share of 2 in 10 ((3 + 1)·0.8 > 3): the furthest margin.
        Assert.Equal(RangeMargins.MaxMargin, RangeMargins.Quantile([0.1, 0.2, 0.3], [0, 1, 2]));
    }

    [Fact]
    public void A_patient_scored_at_many_instants_weighs_as_one_patient()
    {
        // Patient 0 has ten charts scoring 5; patients 1..9 one chart each scoring 1..9. By chart the 16th of 19 would be
        // 6; by patient (10 patients, 8.8 of them) it is 8.
        double[] scores = [.. Enumerable.Repeat(5.0, 10), .. Enumerable.Range(1, 9).Select(k => (double)k)];
        int[] patients = [.. Enumerable.Repeat(0, 10), .. Enumerable.Range(1, 9)];
        Assert.Equal(8, RangeMargins.Quantile(scores, patients));
    }

    [Fact]
    public void The_key_is_the_panels_missing_every_input()
    {
        var margins = new RangeMargins(Panels, []);
        Assert.Equal(0, margins.KeyOf([1, 2, 3, 4, 5]));
        // Hemoglobin alone missing leaves the blood count recorded in part: not the blood-count combination.
        Assert.Equal(0, margins.KeyOf([null, 2, 3, 4, 5]));
        Assert.Equal(0b001, margins.KeyOf([null, null, 3, 4, 5]));
        Assert.Equal(0b101, margins.KeyOf([null, null, 3, null, null]));
    }

    [Fact]
    public void A_margin_moves_both_sides_in_log_odds_and_the_range_still_holds_the_estimate()
    {
        var margins = new RangeMargins(Panels, [new RangeMargin([0], Math.Log(2), 40, 20, 0), new RangeMargin([1], -Math.Log(4), 40, 20, 0)]);

        // Blood count missing: odds 1/9 → 1/18 (5.3 %), 1/3 → 2/3 (40 %).
        var (low, high) = margins.Apply([null, null, 3, 4, 5], 0.15, 0.10, 0.25);
        Assert.Equal(1.0 / 19, low, 12);
        Assert.Equal(0.4, high, 12);

        // Albumin missing, a range narrowed: odds 1/9 → 4/9 stops at the estimate; 1/3 → 1/12 too.
        Assert.Equal((0.15, 0.15), margins.Apply([1, 2, null, 4, 5], 0.15, 0.10, 0.25));

        // Conditions missing: no margin measured, the range as completed.
        Assert.Equal((0.10, 0.25), margins.Apply([1, 2, 3, null, null], 0.15, 0.10, 0.25));
    }

    [Fact]
    public void A_combination_too_few_patients_show_is_measured_on_the_nearest_ones_that_enough_do()
    {
        var blood = 0b001;
        var bloodAndAlbumin = 0b011;
        // Blood count alone missing at 4 patients; with albumin too at 12 more: the blood-count margin comes from all 16.
        MaskedEstimate[] masked =
        [
            .. Enumerable.Range(0, 4).Select(p => new MaskedEstimate(p, blood, 0.5, 0.2, 0.1, 0.3)),
            .. Enumerable.Range(4, 12).Select(p => new MaskedEstimate(p, bloodAndAlbumin, 0.2, 0.2, 0.1, 0.3)),
        ];
        var margins = RangeMargins.Fit(Panels, masked);

        var alone = margins.Margins.Single(m => m.Panels.SequenceEqual([0]));
        Assert.Equal((16, 16, 1), (alone.Charts, alone.Patients, alone.Extra));
        var both = margins.Margins.Single(m => m.Panels.SequenceEqual([0, 1]));
        Assert.Equal((12, 12, 0), (both.Charts, both.Patients, both.Extra));
        // The combination alone: 4 of 16 scores logit(0.5) − logit(0.3) = 0.85, 12 −∞; (16 + 1)·0.8 = 13.6 → the 14th → 0.85.
        Assert.Equal(Math.Round(-Math.Log(0.3 / 0.7), 6), alone.LogOdds);
        // Nobody's estimate moved once blood count and albumin were both missing: the range narrows to the estimate.
        Assert.Equal(-RangeMargins.MaxMargin, both.LogOdds);
        // Conditions were never masked: no margin.
        Assert.DoesNotContain(margins.Margins, m => m.Panels.Contains(2));
    }

    [Fact]
    public void Completions_too_narrow_for_these_charts_are_widened_until_eight_in_ten_further_charts_lie_within()
    {
        // A hospital whose charted estimates lie around the completed one with a spread of 1 log-odds, where the completions
        // state ±0.3: 24 % of charts fall within. Fitted on 2,000 patients, the margin makes 80 % of 4,000 others fall within.
        var random = new Random(7);
        MaskedEstimate Chart(int patient)
        {
            var estimate = Logistic.Sigmoid(-2 + random.NextDouble());
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var charted = Logistic.Sigmoid(Logistic.Logit(estimate) + z);
            return new MaskedEstimate(patient, 0b001, charted, estimate, Logistic.Sigmoid(Logistic.Logit(estimate) - 0.3), Logistic.Sigmoid(Logistic.Logit(estimate) + 0.3));
        }

        var margins = RangeMargins.Fit(Panels, [.. Enumerable.Range(0, 2000).Select(Chart)]);
        var further = Enumerable.Range(0, 4000).Select(Chart).ToList();
        double Within(Func<MaskedEstimate, (double Low, double High)> range) =>
            further.Count(c => range(c) is var (low, high) && c.Charted >= low && c.Charted <= high) / (double)further.Count;

        Assert.InRange(Within(c => (c.Low, c.High)), 0.2, 0.3);
        Assert.InRange(Within(c => margins.Apply([null, null, 3, 4, 5], c.Estimate, c.Low, c.High)), 0.77, 0.84);
    }

    [Fact]
    public void The_standard_panels_name_inputs_of_the_standard_catalog_each_in_one_panel()
    {
        var names = FeatureCatalog.Standard.Names.ToHashSet(StringComparer.Ordinal);
        Assert.All(InputPanels.All, p => Assert.All(p.Inputs, n => Assert.Contains(n, names)));
        var listed = InputPanels.All.SelectMany(p => p.Inputs).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
    }
}
