namespace ClinicalCds.Domain.Models;

/// <summary>
/// The reference values of a model's inputs and the rows built from them (ADR 0004). A missing input is unknown: the
/// model's raw output is averaged over the input's plausible values — its training reference, <see cref="ReferenceSize"/>
/// quantiles of the values recorded in training — with every recorded input held at the patient's value
/// (<see cref="Domain.Models.TreeEnsemble.PredictWithMissing"/>). Training fills each missing input of a training
/// row with one reference value drawn at random, so the trees learn from recorded values only.
/// </summary>
public static class MissingInputs
{
    /// <summary>Reference values per feature: the (k + ½)/K quantiles, k = 0..K−1, of the recorded training values.</summary>
    public const int ReferenceSize = 20;

    /// <summary>Multipliers coprime to <see cref="ReferenceSize"/>: several missing inputs are paired Latin-hypercube style, not all low together.</summary>
    private static readonly int[] Strides = [1, 3, 7, 9, 11, 13, 17, 19];

    /// <summary>The reference of a feature from its recorded training values; empty when it was never recorded.</summary>
    public static double[] ReferenceOf(IReadOnlyList<double> recorded)
    {
        if (recorded.Count == 0)
        {
            return [];
        }

        var sorted = recorded.Order().ToArray();
        return Enumerable.Range(0, ReferenceSize)
            .Select(k => sorted[Math.Min(sorted.Length - 1, (int)((k + 0.5) / ReferenceSize * sorted.Length))])
            .ToArray();
    }

    /// <summary>
    /// <see cref="ReferenceSize"/> complete rows that a vector with missing inputs could plausibly be — missing feature j takes
    /// reference value (s_j·k + j) mod K in row k, several missing inputs paired Latin-hypercube style, a fixed pairing so the
    /// same vector always gives the same rows — for the plausible range of the estimate; the vector itself when nothing is
    /// missing. A feature never recorded in training (empty reference) is fed as 0, a value its trees never split.
    /// </summary>
    public static float[][] Completions(IReadOnlyList<double?> values, IReadOnlyList<IReadOnlyList<double>> reference)
    {
        var missing = MissingIndices(values);
        if (missing.Count == 0)
        {
            return [Row(values)];
        }

        var rows = new float[ReferenceSize][];
        for (var k = 0; k < ReferenceSize; k++)
        {
            var row = Row(values);
            foreach (var j in missing)
            {
                row[j] = reference[j].Count == 0 ? 0f : (float)reference[j][((Strides[j % Strides.Length] * k) + j) % ReferenceSize % reference[j].Count];
            }

            rows[k] = row;
        }

        return rows;
    }

    /// <summary>One training row: each missing feature filled with one of its reference values, drawn by <paramref name="random"/>.</summary>
    public static float[] Draw(IReadOnlyList<double?> values, IReadOnlyList<IReadOnlyList<double>> reference, Random random)
    {
        var row = Row(values);
        foreach (var j in MissingIndices(values))
        {
            row[j] = reference[j].Count == 0 ? 0f : (float)reference[j][random.Next(reference[j].Count)];
        }

        return row;
    }

    public static List<int> MissingIndices(IReadOnlyList<double?> values)
    {
        var missing = new List<int>();
        for (var j = 0; j < values.Count; j++)
        {
            if (values[j] is null)
            {
                missing.Add(j);
            }
        }

        return missing;
    }

    /// <summary>The row of a vector as the model is fed: float values, a missing one as 0 (to be replaced).</summary>
    public static float[] Row(IReadOnlyList<double?> values)
    {
        var row = new float[values.Count];
        for (var j = 0; j < row.Length; j++)
        {
            row[j] = values[j] is { } v ? (float)v : 0f;
        }

        return row;
    }

    /// <summary>The vector with its known values as the model sees them (float32), missing ones still null.</summary>
    public static double?[] AsModelInput(IReadOnlyList<double?> values) => [.. values.Select(v => v is { } x ? (double?)(float)x : null)];
}
