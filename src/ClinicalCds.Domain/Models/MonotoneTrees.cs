namespace ClinicalCds.Domain.Models;

/// <summary>
/// Makes trained trees monotone non-decreasing in chosen inputs (ADR 0007): for every split on such an input, every leaf
/// below its left child ("at or below the threshold") is at most, and every leaf below its right child at least, one
/// value — the midpoint between the two sides when they already agree, else their cover-weighted mean — with the bounds
/// of every such split above passed down and each leaf clamped into them (the "basic" monotone constraint of LightGBM,
/// applied after fitting). Then two inputs that differ only in such an input, the larger one never reach a lower leaf, so
/// the sum over the trees — and any average over missing inputs, and a calibration with a positive slope — never falls
/// as that input rises. The calibration is fitted after this, on the trees as projected.
/// </summary>
public static class MonotoneTrees
{
    public static TreeEnsemble Project(TreeEnsemble ensemble, IReadOnlySet<int> increasing) =>
        ensemble with { Trees = [.. ensemble.Trees.Select(t => t with { LeafValue = Project(t, increasing) })] };

    /// <summary>The tree's leaf values, projected.</summary>
    public static double[] Project(RegressionTree tree, IReadOnlySet<int> increasing)
    {
        var values = (double[])tree.LeafValue.Clone();
        if (tree.Feature.Length > 0)
        {
            Walk(tree, 0, double.NegativeInfinity, double.PositiveInfinity, increasing, values);
        }

        return values;
    }

    /// <summary>True when no split of any tree on an input of <paramref name="increasing"/> has a left leaf above a right one.</summary>
    public static bool IsMonotone(TreeEnsemble ensemble, IReadOnlySet<int> increasing) =>
        ensemble.Trees.All(t => Enumerable.Range(0, t.Feature.Length).All(n =>
            !increasing.Contains(t.Feature[n]) || Leaves(t, t.Left[n]).Max(l => t.LeafValue[l]) <= Leaves(t, t.Right[n]).Min(l => t.LeafValue[l])));

    private static void Walk(RegressionTree tree, int node, double low, double high, IReadOnlySet<int> increasing, double[] values)
    {
        if (node < 0)
        {
            values[~node] = Math.Clamp(values[~node], low, high);
            return;
        }

        if (!increasing.Contains(tree.Feature[node]))
        {
            Walk(tree, tree.Left[node], low, high, increasing, values);
            Walk(tree, tree.Right[node], low, high, increasing, values);
            return;
        }

        var left = Leaves(tree, tree.Left[node]).ToList();
        var right = Leaves(tree, tree.Right[node]).ToList();
        var leftMax = left.Max(l => Math.Clamp(values[l], low, high));
        var rightMin = right.Min(l => Math.Clamp(values[l], low, high));
        double middle;
        if (leftMax <= rightMin)
        {
            middle = (leftMax + rightMin) / 2;
        }
        else
        {
            var all = left.Concat(right).ToList();
            var cover = all.Sum(l => tree.LeafCover[l]);
            middle = cover > 0
                ? all.Sum(l => tree.LeafCover[l] * Math.Clamp(values[l], low, high)) / cover
                : all.Average(l => Math.Clamp(values[l], low, high));
        }

        Walk(tree, tree.Left[node], low, Math.Min(high, middle), increasing, values);
        Walk(tree, tree.Right[node], Math.Max(low, middle), high, increasing, values);
    }

    private static IEnumerable<int> Leaves(RegressionTree tree, int node) =>
        node < 0 ? [~node] : Leaves(tree, tree.Left[node]).Concat(Leaves(tree, tree.Right[node]));
}
