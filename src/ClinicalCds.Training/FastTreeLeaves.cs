using System.Reflection;

namespace ClinicalCds.Training;

/// <summary>
/// Writes projected leaf values (<see cref="MonotoneTrees"/>) into a trained ML.NET FastTree ensemble, so that its
/// predictions and its ONNX export are the projected trees. ML.NET exposes leaf values read-only; the trees keep them in
/// <c>InternalRegressionTree.LeafValues</c> (Microsoft.ML.FastTree 5.0.1, pinned centrally), which both its scorer and
/// its ONNX converter read. The trainer checks afterwards that ML.NET and ONNX Runtime score as the projected trees do,
/// so a version of ML.NET that keeps them elsewhere fails training loudly instead of shipping other trees.
/// </summary>
internal static class FastTreeLeaves
{
    public static void Overwrite(Microsoft.ML.Trainers.FastTree.TreeEnsemble<Microsoft.ML.Trainers.FastTree.RegressionTree> ensemble, IReadOnlyList<double[]> leafValues)
    {
        var inner = typeof(Microsoft.ML.Trainers.FastTree.RegressionTreeBase).GetField("_tree", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("This ML.NET FastTree keeps its trees elsewhere: leaf values cannot be projected.");
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = inner.GetValue(ensemble.Trees[t])!;
            var values = tree.GetType().GetProperty("LeafValues", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(tree) as double[]
                ?? throw new InvalidOperationException("This ML.NET FastTree keeps its leaf values elsewhere: they cannot be projected.");
            // The array is allocated for the most leaves a tree may have; a tree that grew fewer uses its first ones.
            if (values.Length < leafValues[t].Length)
            {
                throw new InvalidOperationException($"Tree {t} has room for {values.Length} leaves, the projection {leafValues[t].Length}.");
            }

            leafValues[t].CopyTo(values, 0);
        }
    }
}
