namespace ClinicalCds.Domain.Explanations;

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

    public static double[] Contributions(TreeEnsemble ensemble, IReadOnlyList<double> x, int featureCount)
    {
        var phi = new double[featureCount];
        foreach (var tree in ensemble.Trees.Where(t => t.Feature.Length > 0))
        {
            var path = new PathElement[tree.Feature.Length + 2];
            Recurse(tree, x, phi, 0, path, 0, 1, 1, -1);
        }

        return phi;
    }

    // Node index: n >= 0 internal, n < 0 leaf ~n. Path elements [0, depth) are copied per call (unique paths are short).
    private static void Recurse(RegressionTree tree, IReadOnlyList<double> x, double[] phi, int node, PathElement[] parentPath, int depth,
        double zero, double one, int feature)
    {
        var path = new PathElement[parentPath.Length];
        Array.Copy(parentPath, path, depth);
        Extend(path, depth, zero, one, feature);
        depth++;

        if (node < 0)
        {
            var value = tree.Weight * tree.LeafValue[~node];
            for (var i = 1; i < depth; i++)
            {
                var w = UnwoundSum(path, depth, i);
                phi[path[i].Feature] += w * (path[i].One - path[i].Zero) * value;
            }

            return;
        }

        var split = tree.Feature[node];
        var goesLeft = x[split] <= tree.Threshold[node];
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
        Recurse(tree, x, phi, hot, path, depth, incomingZero * Cover(tree, hot) / cover, incomingOne, split);
        Recurse(tree, x, phi, cold, path, depth, incomingZero * Cover(tree, cold) / cover, 0, split);
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
