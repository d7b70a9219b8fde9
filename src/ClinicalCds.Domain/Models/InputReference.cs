namespace ClinicalCds.Domain.Models;

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
