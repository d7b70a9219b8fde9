using ClinicalCds.Domain.Models;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Training;
using ClinicalCds.UnitTests.Explanations;

namespace ClinicalCds.UnitTests.Training;

/// <summary>
/// The projection that makes trained trees monotone where physiology is (ADR 0007): after it, raising an input that
/// never lowers a risk never lowers the ensemble's score — checked on random trees and random rows — and trees that
/// already obey it are left as they are.
/// </summary>
public sealed class MonotoneTreesTests
{
    [Fact]
    public void Raising_a_projected_input_never_lowers_the_score_of_random_trees()
    {
        var random = new Random(29);
        var increasing = new HashSet<int> { 0, 2 };
        for (var trial = 0; trial < 200; trial++)
        {
            var ensemble = MonotoneTrees.Project(new TreeEnsemble(0.1, [.. Enumerable.Range(0, 5).Select(_ => RandomTrees.Tree(random, 3, 4, r => r.NextDouble() * 10))]), increasing);
            Assert.True(MonotoneTrees.IsMonotone(ensemble, increasing));
            for (var row = 0; row < 50; row++)
            {
                double[] x = [random.NextDouble() * 10, random.NextDouble() * 10, random.NextDouble() * 10];
                foreach (var j in increasing)
                {
                    var raised = (double[])x.Clone();
                    raised[j] += random.NextDouble() * 5;
                    Assert.True(ensemble.Predict(raised) >= ensemble.Predict(x) - 1e-12, $"trial {trial}, input {j}");
                }
            }
        }
    }

    [Fact]
    public void Trees_that_already_obey_the_constraint_keep_their_leaves()
    {
        // Split on input 0 at 5: left leaf −0.2 at or below, right leaf +0.4 above — already non-decreasing.
        var tree = new RegressionTree([0], [5.0], [~0], [~1], [-0.2, 0.4], [10], [6, 4], 1.0);
        Assert.Equal(tree.LeafValue, MonotoneTrees.Project(tree, new HashSet<int> { 0 }));

        // Reversed leaves violate it and meet at their cover-weighted mean, (6 × 0.4 + 4 × −0.2) / 10 = 0.16.
        var reversed = tree with { LeafValue = [0.4, -0.2] };
        var projected = MonotoneTrees.Project(reversed, new HashSet<int> { 0 });
        Assert.Equal(0.16, projected[0], 10);
        Assert.Equal(0.16, projected[1], 10);
        // An input not constrained keeps its leaves whatever their order.
        Assert.Equal(reversed.LeafValue, MonotoneTrees.Project(reversed, new HashSet<int> { 1 }));
    }
}
