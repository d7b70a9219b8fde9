namespace ClinicalCds.Domain.Models;

/// <summary>
/// Exact TreeSHAP (Lundberg, Erion and Lee, "Consistent individualized feature attribution for tree ensembles", 2018,
/// Algorithm 2): per-feature contributions φ with ExpectedValue + Σ φ = the ensemble's raw score, the Shapley values of
/// the tree's own conditional expectation (features outside a coalition follow both branches, weighted by cover).
/// </summary>
public static class TreeShap
{
    private struct PathElement
    {
        public int Feature;
        public double Zero;
        public double One;
        public double Weight;
    }

    public static double[] Contributions(TreeEnsemble ensemble, IReadOnlyList<double> x, int featureCount) =>
        Contributions(ensemble, x.Select(v => (double?)v).ToList(), null, featureCount);

    /// <summary>
    /// Contributions when some inputs are missing (null): the Shapley values of the known inputs for the model with the
    /// missing ones averaged over their reference (<see cref="TreeEnsemble.PredictWithMissing"/>). A missing input is no
    /// player — it follows both branches by its reference values in every coalition and gets no contribution — so
    /// <see cref="TreeEnsemble.ExpectedValue(IReadOnlyList{double?}, InputReference)"/> + Σ φ = PredictWithMissing.
    /// </summary>
    public static double[] Contributions(TreeEnsemble ensemble, IReadOnlyList<double?> x, InputReference? reference, int featureCount)
    {
        var phi = new double[featureCount];
        foreach (var tree in ensemble.Trees.Where(t => t.Feature.Length > 0))
        {
            var path = new PathElement[tree.Feature.Length + 2];
            Recurse(tree, x, reference, new InputReference.Bounds(x.Count), phi, 0, path, 0, 1, 1, -1, extend: true, scale: 1);
        }

        return phi;
    }

    internal static double CoverShare(RegressionTree tree, int node, int child) => Cover(tree, child) / tree.NodeCover[node];

    // Node index: n >= 0 internal, n < 0 leaf ~n. Path elements [0, depth) are copied per call (unique paths are short).
    // A split on a missing input does not extend the path: both children are followed with the leaf values scaled by
    // the share of the input's reference values going there.
    private static void Recurse(RegressionTree tree, IReadOnlyList<double?> x, InputReference? reference, InputReference.Bounds bounds, double[] phi, int node,
        PathElement[] parentPath, int depth, double zero, double one, int feature, bool extend, double scale)
    {
        var path = new PathElement[parentPath.Length];
        Array.Copy(parentPath, path, depth);
        if (extend)
        {
            Extend(path, depth, zero, one, feature);
            depth++;
        }

        if (node < 0)
        {
            var value = scale * tree.Weight * tree.LeafValue[~node];
            for (var i = 1; i < depth; i++)
            {
                var w = UnwoundSum(path, depth, i);
                phi[path[i].Feature] += w * (path[i].One - path[i].Zero) * value;
            }

            return;
        }

        var split = tree.Feature[node];
        if (x[split] is not { } known)
        {
            var threshold = tree.Threshold[node];
            var left = reference!.LeftShare(split, threshold, bounds);
            if (left > 0)
            {
                var upper = bounds.NarrowBelow(split, threshold);
                Recurse(tree, x, reference, bounds, phi, tree.Left[node], path, depth, 0, 0, -1, extend: false, scale * left);
                bounds.Upper[split] = upper;
            }

            if (left < 1)
            {
                var lower = bounds.NarrowAbove(split, threshold);
                Recurse(tree, x, reference, bounds, phi, tree.Right[node], path, depth, 0, 0, -1, extend: false, scale * (1 - left));
                bounds.Lower[split] = lower;
            }

            return;
        }

        var goesLeft = known <= tree.Threshold[node];
        var hot = goesLeft ? tree.Left[node] : tree.Right[node];
        var cold = goesLeft ? tree.Right[node] : tree.Left[node];
        double incomingZero = 1, incomingOne = 1;
        var k = 1;
        while (k < depth && path[k].Feature != split)
        {
            k++;
        }

        if (k < depth)
        {
            incomingZero = path[k].Zero;
            incomingOne = path[k].One;
            Unwind(path, depth, k);
            depth--;
        }

        var cover = tree.NodeCover[node];
        Recurse(tree, x, reference, bounds, phi, hot, path, depth, incomingZero * Cover(tree, hot) / cover, incomingOne, split, extend: true, scale);
        Recurse(tree, x, reference, bounds, phi, cold, path, depth, incomingZero * Cover(tree, cold) / cover, 0, split, extend: true, scale);
    }

    private static double Cover(RegressionTree tree, int node) => node < 0 ? tree.LeafCover[~node] : tree.NodeCover[node];

    private static void Extend(PathElement[] path, int length, double zero, double one, int feature)
    {
        path[length] = new PathElement { Feature = feature, Zero = zero, One = one, Weight = length == 0 ? 1 : 0 };
        for (var i = length - 1; i >= 0; i--)
        {
            path[i + 1].Weight += one * path[i].Weight * (i + 1) / (length + 1);
            path[i].Weight = zero * path[i].Weight * (length - i) / (length + 1);
        }
    }

    private static void Unwind(PathElement[] path, int length, int index)
    {
        var l = length - 1;
        var one = path[index].One;
        var zero = path[index].Zero;
        var next = path[l].Weight;
        for (var j = l - 1; j >= 0; j--)
        {
            if (one != 0)
            {
                var t = path[j].Weight;
                path[j].Weight = next * (l + 1) / ((j + 1) * one);
                next = t - (path[j].Weight * zero * (l - j) / (l + 1));
            }
            else
            {
                path[j].Weight = path[j].Weight * (l + 1) / (zero * (l - j));
            }
        }

        for (var j = index; j < l; j++)
        {
            path[j].Feature = path[j + 1].Feature;
            path[j].Zero = path[j + 1].Zero;
            path[j].One = path[j + 1].One;
        }
    }

    /// <summary>The total weight of the path with element <paramref name="index"/> unwound (without changing the path).</summary>
    private static double UnwoundSum(PathElement[] path, int length, int index)
    {
        var l = length - 1;
        var one = path[index].One;
        var zero = path[index].Zero;
        var next = path[l].Weight;
        double total = 0;
        for (var j = l - 1; j >= 0; j--)
        {
            if (one != 0)
            {
                var t = next * (l + 1) / ((j + 1) * one);
                total += t;
                next = path[j].Weight - (t * zero * (l - j) / (l + 1));
            }
            else
            {
                total += path[j].Weight * (l + 1) / (zero * (l - j));
            }
        }

        return total;
    }
}
