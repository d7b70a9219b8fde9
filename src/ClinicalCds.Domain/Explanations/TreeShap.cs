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

/// <summary>
/// The plausible values of each model input (a model card's reference values), for averaging over a missing input.
/// Values are compared as the model's float inputs are (ONNX Runtime scores float32).
/// </summary>
public sealed class InputReference(IReadOnlyList<IReadOnlyList<double>> values)
{
    public IReadOnlyList<IReadOnlyList<double>> Values { get; } = values;

    /// <summary>
    /// The share of the input's reference values at or below <paramref name="threshold"/> among those still possible on
    /// the path (within its <paramref name="bounds"/>: a second split on the same input is conditional on the first).
    /// An input never recorded is fed as 0.
    /// </summary>
    public double LeftShare(int feature, double threshold, Bounds bounds)
    {
        var reference = Values[feature];
        if (reference.Count == 0)
        {
            return threshold >= 0 ? 1 : 0;
        }

        int possible = 0, left = 0;
        foreach (var v in reference)
        {
            var x = (float)v;
            if (x > bounds.Lower[feature] && x <= bounds.Upper[feature])
            {
                possible++;
                left += x <= threshold ? 1 : 0;
            }
        }

        return possible == 0 ? 0.5 : left / (double)possible;
    }

    /// <summary>The interval (lower, upper] each input is known to lie in on the current path of a tree.</summary>
    public sealed class Bounds(int features)
    {
        public double[] Lower { get; } = Enumerable.Repeat(double.NegativeInfinity, features).ToArray();
        public double[] Upper { get; } = Enumerable.Repeat(double.PositiveInfinity, features).ToArray();

        /// <summary>Narrows the input to at or below the threshold; returns the upper bound to restore.</summary>
        public double NarrowBelow(int feature, double threshold)
        {
            var upper = Upper[feature];
            Upper[feature] = Math.Min(upper, threshold);
            return upper;
        }

        /// <summary>Narrows the input to above the threshold; returns the lower bound to restore.</summary>
        public double NarrowAbove(int feature, double threshold)
        {
            var lower = Lower[feature];
            Lower[feature] = Math.Max(lower, threshold);
            return lower;
        }
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
