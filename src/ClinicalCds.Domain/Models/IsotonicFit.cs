namespace ClinicalCds.Domain.Models;

/// <summary>
/// Isotonic regression of 0/1 outcomes on a score by pooling adjacent violators (Ayer et al., "An empirical distribution
/// function for sampling with incomplete information", Ann Math Stat 1955;26:641-7; as a calibration map, Zadrozny and
/// Elkan, KDD 2002): the non-decreasing step function of the score closest to the outcomes in squared error. Rows with
/// equal scores are one block from the start (a map cannot tell them apart); a block is pooled with its predecessor
/// while its rate is not above the predecessor's, so the rates that remain strictly increase.
/// </summary>
public static class IsotonicFit
{
    /// <summary>
    /// The blocks as knots: each block's mean score and its rate estimated as (events + ½) / (rows + 1), the posterior mean
    /// under Jeffreys' prior (Brown, Cai and DasGupta, Stat Sci 2001;16:101-33) — a block of 3 patients all readmitted is
    /// not a certainty (it says 7 in 8), and a log-odds must stay finite for the explanation. Blocks whose estimates would
    /// then not increase are pooled again, so the map still never decreases.
    /// </summary>
    public static IReadOnlyList<CalibrationKnot> Fit(IReadOnlyList<double> scores, IReadOnlyList<bool> outcomes)
    {
        if (scores.Count != outcomes.Count || scores.Count == 0)
        {
            throw new ArgumentException("One outcome per score, at least one row.", nameof(outcomes));
        }

        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var tied = new List<Block>();
        for (var k = 0; k < order.Length;)
        {
            var block = new Block(0, 0, 0);
            var score = scores[order[k]];
            for (; k < order.Length && scores[order[k]] == score; k++)
            {
                block = block.Add(score, outcomes[order[k]]);
            }

            tied.Add(block);
        }

        var pooled = Pool(Pool(tied, b => b.Rate), b => b.Estimate);
        return [.. pooled.Select(b => new CalibrationKnot(b.ScoreSum / b.Rows, b.Estimate))];
    }

    /// <summary>Pools each block with its predecessor while <paramref name="value"/> does not increase (pooled adjacent violators).</summary>
    private static List<Block> Pool(List<Block> blocks, Func<Block, double> value)
    {
        var pooled = new List<Block>(blocks.Count);
        foreach (var block in blocks)
        {
            pooled.Add(block);
            while (pooled.Count > 1 && value(pooled[^1]) <= value(pooled[^2]))
            {
                var last = pooled[^1];
                pooled.RemoveAt(pooled.Count - 1);
                pooled[^1] = pooled[^1].Pool(last);
            }
        }

        return pooled;
    }

    private readonly record struct Block(int Rows, double Events, double ScoreSum)
    {
        public double Rate => Events / Rows;

        public double Estimate => (Events + 0.5) / (Rows + 1);

        public Block Add(double score, bool outcome) => new(Rows + 1, Events + (outcome ? 1 : 0), ScoreSum + score);

        public Block Pool(Block next) => new(Rows + next.Rows, Events + next.Events, ScoreSum + next.ScoreSum);
    }
}
