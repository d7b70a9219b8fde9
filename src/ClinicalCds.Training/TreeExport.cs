using ClinicalCds.Domain.Models;
using Microsoft.ML.Trainers.FastTree;

namespace ClinicalCds.Training;

/// <summary>
/// The trained trees as the explainer needs them: structure and leaf values from ML.NET, and each node's cover counted by
/// routing the training rows through it (ML.NET does not keep counts). Saved beside model.onnx as trees.json.
/// </summary>
public static class TreeExport
{
    public static TreeEnsemble From(Microsoft.ML.Trainers.FastTree.TreeEnsemble<Microsoft.ML.Trainers.FastTree.RegressionTree> ensemble, IReadOnlyList<float[]> trainingRows)
    {
        var trees = new List<Domain.Models.RegressionTree>();
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            var internalNodes = tree.NumberOfNodes;
            var feature = tree.NumericalSplitFeatureIndexes.ToArray();
            var threshold = tree.NumericalSplitThresholds.Select(v => (double)v).ToArray();
            var left = tree.LeftChild.ToArray();
            var right = tree.RightChild.ToArray();
            if (tree.CategoricalSplitFlags.Any(c => c))
            {
                throw new NotSupportedException("Categorical splits are not used by our feature vectors.");
            }

            var nodeCover = new double[internalNodes];
            var leafCover = new double[tree.NumberOfLeaves];
            foreach (var row in trainingRows)
            {
                var node = internalNodes == 0 ? -1 : 0;
                while (node >= 0)
                {
                    nodeCover[node]++;
                    node = row[feature[node]] <= threshold[node] ? left[node] : right[node];
                }

                leafCover[~node]++;
            }

            trees.Add(new Domain.Models.RegressionTree(
                feature, threshold, left, right, tree.LeafValues.ToArray(), nodeCover, leafCover, ensemble.TreeWeights[t]));
        }

        return new TreeEnsemble(ensemble.Bias, trees);
    }
}
