namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>
/// One input's distribution as serving sees it (issue 32 item 5), taken from the training population's charts at the
/// instants nightly runs score them (<see cref="Domain.Scoring.NightlyTargets"/>) rather than at the training examples'
/// instants: a complication model learns from every vital-sign set but is served at 02:00, and its inputs differ by that
/// alone. The recorded values are cut at their deciles (distinct values only, so a flag or a count keeps its own bins),
/// and each bin keeps the share of values it actually holds — not the nominal tenth, which ties and rare values break.
/// <see cref="Low"/> and <see cref="High"/> are the 2.5th and 97.5th percentiles.
/// </summary>
public sealed record ServingReference(int Targets, double MissingShare, IReadOnlyList<double> Edges, IReadOnlyList<double> Shares, double Low, double High)
{
    public const int Bins = 10;

    /// <summary>The reference of one input's values over the targets (null for a value not recorded); null when none is recorded.</summary>
    public static ServingReference? Of(IReadOnlyList<double?> values)
    {
        var recorded = values.OfType<double>().Order().ToList();
        if (recorded.Count == 0)
        {
            return null;
        }

        var edges = Enumerable.Range(1, Bins - 1).Select(k => recorded[(int)((long)k * (recorded.Count - 1) / Bins)]).Distinct().ToList();
        var counts = new double[edges.Count + 1];
        foreach (var v in recorded)
        {
            counts[BinOf(edges, v)]++;
        }

        return new ServingReference(
            values.Count, 1 - (recorded.Count / (double)values.Count), edges, [.. counts.Select(c => c / recorded.Count)],
            recorded[(int)(0.025 * (recorded.Count - 1))], recorded[(int)Math.Ceiling(0.975 * (recorded.Count - 1))]);
    }

    /// <summary>
    /// PSI = Σ (a − e) ln(a / e) over the bins, e the reference's own share of each, a the served share; a share of 0 on
    /// either side counted as half a value of its sample, so an empty bin weighs without making the index infinite.
    /// </summary>
    public double Psi(IReadOnlyList<double> recorded)
    {
        var counts = new double[Edges.Count + 1];
        foreach (var v in recorded)
        {
            counts[BinOf(Edges, v)]++;
        }

        var actualFloor = 0.5 / recorded.Count;
        var expectedFloor = 0.5 / Math.Max(1, Targets * (1 - MissingShare));
        return counts.Select((c, b) =>
        {
            var actual = Math.Max(c / recorded.Count, actualFloor);
            var expected = Math.Max(Shares[b], expectedFloor);
            return (actual - expected) * Math.Log(actual / expected);
        }).Sum();
    }

    /// <summary>Bin b holds values up to <c>Edges[b]</c> and above the edge before; the last bin everything above the last edge.</summary>
    private static int BinOf(IReadOnlyList<double> edges, double value)
    {
        for (var b = 0; b < edges.Count; b++)
        {
            if (value <= edges[b])
            {
                return b;
            }
        }

        return edges.Count;
    }
}
