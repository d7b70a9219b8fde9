namespace ClinicalCds.Domain.Models;

/// <summary>
/// One regression tree. Internal node n splits on <see cref="Feature"/>[n] at <see cref="Threshold"/>[n]: a value at or
/// below the threshold goes to <see cref="Left"/>[n], above to <see cref="Right"/>[n]. A child index below zero is the
/// leaf ~index. <see cref="NodeCover"/> and <see cref="LeafCover"/> count the training rows that reached each node.
/// </summary>
public sealed record RegressionTree(
    int[] Feature, double[] Threshold, int[] Left, int[] Right, double[] LeafValue, double[] NodeCover, double[] LeafCover, double Weight);

/// <summary>A tree ensemble: raw score = <see cref="Bias"/> + Σ weight × leaf value.</summary>
public sealed record TreeEnsemble(double Bias, IReadOnlyList<RegressionTree> Trees)
{
    public double Predict(IReadOnlyList<double> x) => Bias + Trees.Sum(t => t.Weight * t.LeafValue[~Leaf(t, x)]);

    /// <summary>The expected raw score over the training rows (each tree's leaves weighted by their cover).</summary>
    public double ExpectedValue() => Bias + Trees.Sum(t => t.Weight * Enumerable.Range(0, t.LeafValue.Length).Sum(l => t.LeafValue[l] * t.LeafCover[l]) / RootCover(t));

    internal static double RootCover(RegressionTree t) => t.Feature.Length == 0 ? t.LeafCover[0] : t.NodeCover[0];

    /// <summary>
    /// How much the model leans on each input: over the training rows (by cover), the mean absolute change of the raw
    /// score at the splits on it — a row reaching a split moves from the split's expected score to its branch's — summed
    /// over the trees by their weights.
    /// </summary>
    public double[] Importance(int width)
    {
        var importance = new double[width];
        foreach (var tree in Trees.Where(t => t.Feature.Length > 0))
        {
            var root = RootCover(tree);
            for (var node = 0; node < tree.Feature.Length; node++)
            {
                var expected = Expected(tree, node);
                var moved = (TreeShap.CoverShare(tree, node, tree.Left[node]) * Math.Abs(Expected(tree, tree.Left[node]) - expected))
                    + (TreeShap.CoverShare(tree, node, tree.Right[node]) * Math.Abs(Expected(tree, tree.Right[node]) - expected));
                importance[tree.Feature[node]] += tree.Weight * tree.NodeCover[node] / root * moved;
            }
        }

        return importance;
    }

    /// <summary>The expected raw score of a tree's subtree over the training rows that reach it.</summary>
    private static double Expected(RegressionTree tree, int node) => node < 0
        ? tree.LeafValue[~node]
        : (TreeShap.CoverShare(tree, node, tree.Left[node]) * Expected(tree, tree.Left[node])) + (TreeShap.CoverShare(tree, node, tree.Right[node]) * Expected(tree, tree.Right[node]));

    /// <summary>
    /// The raw score with the missing inputs of <paramref name="x"/> (null) unknown: its mean over every combination of
    /// their reference values, taken as independent — exactly, by following both branches of a split on a missing input,
    /// weighted by the share of its reference values on each side. With one input missing it is the mean of the scores
    /// its reference values give, so it lies between their lowest and highest.
    /// </summary>
    public double PredictWithMissing(IReadOnlyList<double?> x, InputReference reference) => Walk(x, reference, coverForKnown: false);

    /// <summary>
    /// The expected raw score when nothing but which inputs are missing is known: known inputs follow both branches by
    /// training cover, missing ones by their reference values. With nothing missing this is <see cref="ExpectedValue()"/>.
    /// </summary>
    public double ExpectedValue(IReadOnlyList<double?> x, InputReference reference) => Walk(x, reference, coverForKnown: true);

    /// <summary>
    /// A lower bound on <see cref="PredictWithMissing"/> over every value the inputs with a <paramref name="box"/> (non-null
    /// entries) could take within it, the other missing inputs averaged over their reference: each tree's lowest weighted
    /// score over the box, summed — a tree's minimum is never above its score at any one point of the box, so neither is the
    /// sum. Exact when no two trees' lowest leaves need different values of a boxed input. The same walk as
    /// <see cref="PredictWithMissing"/>: a boxed input starts with the box as its bounds, and a split on it takes the
    /// lower of the branches the box still reaches instead of their average.
    /// </summary>
    public double LowestOver(IReadOnlyList<double?> x, InputReference reference, IReadOnlyList<(double Low, double High)?> box) =>
        Walk(x, reference, coverForKnown: false, box);

    private double Walk(IReadOnlyList<double?> x, InputReference reference, bool coverForKnown, IReadOnlyList<(double Low, double High)?>? box = null)
    {
        // One set of bounds for all trees: every walk restores what it narrows. Bounds are (lower, upper] on the float32
        // inputs, so a box [low, high] starts just below its low end.
        var bounds = new InputReference.Bounds(x.Count);
        for (var j = 0; box is not null && j < box.Count; j++)
        {
            if (box[j] is { } b)
            {
                (bounds.Lower[j], bounds.Upper[j]) = (MathF.BitDecrement((float)b.Low), (float)b.High);
            }
        }

        var total = Bias;
        foreach (var tree in Trees)
        {
            // The lowest weighted score: the lowest leaf value for a positive weight, the highest for a negative one.
            total += tree.Weight * (tree.Feature.Length == 0 ? tree.LeafValue[0] : Walk(tree, 0, x, reference, bounds, coverForKnown, box, lowest: tree.Weight >= 0));
        }

        return total;
    }

    private static double Walk(
        RegressionTree tree, int node, IReadOnlyList<double?> x, InputReference reference, InputReference.Bounds bounds, bool coverForKnown,
        IReadOnlyList<(double Low, double High)?>? box, bool lowest)
    {
        if (node < 0)
        {
            return tree.LeafValue[~node];
        }

        var feature = tree.Feature[node];
        var threshold = tree.Threshold[node];
        if (box?[feature] is not null)
        {
            // Each branch the box still reaches, with the box narrowed to its side; the lower (or higher) of them.
            double? best = null;
            if (bounds.Lower[feature] < threshold)
            {
                var upper = bounds.NarrowBelow(feature, threshold);
                best = Walk(tree, tree.Left[node], x, reference, bounds, coverForKnown, box, lowest);
                bounds.Upper[feature] = upper;
            }

            if (bounds.Upper[feature] > threshold)
            {
                var lower = bounds.NarrowAbove(feature, threshold);
                var right = Walk(tree, tree.Right[node], x, reference, bounds, coverForKnown, box, lowest);
                bounds.Lower[feature] = lower;
                best = best is not { } l ? right : lowest ? Math.Min(l, right) : Math.Max(l, right);
            }

            return best ?? throw new InvalidOperationException("unreachable: a box reaches at least one branch of every split");
        }

        if (x[feature] is { } value && !coverForKnown)
        {
            return Walk(tree, value <= threshold ? tree.Left[node] : tree.Right[node], x, reference, bounds, coverForKnown, box, lowest);
        }

        var left = x[feature] is null ? reference.LeftShare(feature, threshold, bounds) : TreeShap.CoverShare(tree, node, tree.Left[node]);
        var total = 0.0;
        if (left > 0)
        {
            var upper = bounds.NarrowBelow(feature, threshold);
            total += left * Walk(tree, tree.Left[node], x, reference, bounds, coverForKnown, box, lowest);
            bounds.Upper[feature] = upper;
        }

        if (left < 1)
        {
            var lower = bounds.NarrowAbove(feature, threshold);
            total += (1 - left) * Walk(tree, tree.Right[node], x, reference, bounds, coverForKnown, box, lowest);
            bounds.Lower[feature] = lower;
        }

        return total;
    }

    private static int Leaf(RegressionTree t, IReadOnlyList<double> x)
    {
        if (t.Feature.Length == 0)
        {
            return ~0;
        }

        var node = 0;
        while (node >= 0)
        {
            node = x[t.Feature[node]] <= t.Threshold[node] ? t.Left[node] : t.Right[node];
        }

        return node;
    }
}
