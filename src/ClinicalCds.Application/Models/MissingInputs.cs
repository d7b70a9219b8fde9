namespace ClinicalCds.Application.Models;

/// <summary>
/// How a model answers for a patient whose inputs are not all recorded (ADR 0004): a missing input is unknown, so the
/// model's raw output is averaged over the input's plausible values — its training reference, <see cref="ReferenceSize"/>
/// quantiles of the values recorded in training — with every recorded input held at the patient's value. The answer
/// for one missing input therefore always lies between the lowest and highest answers its reference values give; it is
/// never the answer of an extreme value, as a sentinel such as −9999 made it. Training fills each missing input of a
/// training row with one reference value drawn at random, so the trees learn from recorded values only.
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
    /// The complete rows a vector stands for: the vector itself when nothing is missing; otherwise <see cref="ReferenceSize"/>
    /// rows in which missing feature j takes reference value (s_j·k + j) mod K in row k (a fixed pairing, so the same vector
    /// always gives the same rows). A feature never recorded in training (empty reference) is fed as 0, a value its trees never split.
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

    /// <summary>
    /// The rows that show how far one missing feature could move the answer: <paramref name="feature"/> takes each of its
    /// reference values, the other missing features their reference median.
    /// </summary>
    public static float[][] Sweep(IReadOnlyList<double?> values, IReadOnlyList<IReadOnlyList<double>> reference, int feature)
    {
        var baseRow = Row(values);
        foreach (var j in MissingIndices(values))
        {
            baseRow[j] = reference[j].Count == 0 ? 0f : (float)reference[j][reference[j].Count / 2];
        }

        return reference[feature].Select(v =>
        {
            var row = (float[])baseRow.Clone();
            row[feature] = (float)v;
            return row;
        }).ToArray();
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

    private static float[] Row(IReadOnlyList<double?> values)
    {
        var row = new float[values.Count];
        for (var j = 0; j < row.Length; j++)
        {
            row[j] = values[j] is { } v ? (float)v : 0f;
        }

        return row;
    }

    /// <summary>
    /// Raw outputs of vectors that may have missing inputs: each is the mean raw output of its completions, all scored in
    /// one call of <paramref name="rawScores"/> (rows → raw outputs).
    /// </summary>
    public static double[] AveragedRawScores(
        IReadOnlyList<IReadOnlyList<double?>> vectors, IReadOnlyList<IReadOnlyList<double>> reference, Func<IReadOnlyList<float[]>, double[]> rawScores)
    {
        var completions = vectors.Select(v => Completions(v, reference)).ToList();
        var scores = rawScores(completions.SelectMany(c => c).ToList());
        var averaged = new double[vectors.Count];
        var at = 0;
        for (var i = 0; i < vectors.Count; i++)
        {
            var sum = 0.0;
            for (var k = 0; k < completions[i].Length; k++)
            {
                sum += scores[at + k];
            }

            averaged[i] = sum / completions[i].Length;
            at += completions[i].Length;
        }

        return averaged;
    }
}
