using ClinicalCds.Domain.Models;
using ClinicalCds.Domain.Explanations;

namespace ClinicalCds.UnitTests.Explanations;

/// <summary>Random regression trees for property tests, with covers that add up.</summary>
internal static class RandomTrees
{
    /// <summary>A tree of up to <paramref name="depth"/> levels over <paramref name="features"/> inputs, split at thresholds <paramref name="threshold"/> draws.</summary>
    public static RegressionTree Tree(Random random, int features, int depth, Func<Random, double> threshold)
    {
        var feature = new List<int>();
        var thresholds = new List<double>();
        var left = new List<int>();
        var right = new List<int>();
        var leafValue = new List<double>();
        var leafCover = new List<double>();
        int Build(int level)
        {
            if (level == depth || (level > 0 && random.NextDouble() < 0.3))
            {
                leafValue.Add(Math.Round((random.NextDouble() * 2) - 1, 3));
                leafCover.Add(1 + random.Next(20));
                return ~(leafValue.Count - 1);
            }

            var node = feature.Count;
            feature.Add(random.Next(features));
            thresholds.Add(threshold(random));
            left.Add(0);
            right.Add(0);
            left[node] = Build(level + 1);
            right[node] = Build(level + 1);
            return node;
        }

        Build(0);
        var nodeCover = new double[feature.Count];
        double Cover(int n) => n < 0 ? leafCover[~n] : nodeCover[n] = Cover(left[n]) + Cover(right[n]);
        Cover(0);
        return new RegressionTree([.. feature], [.. thresholds], [.. left], [.. right], [.. leafValue], nodeCover, [.. leafCover], 1);
    }
}
