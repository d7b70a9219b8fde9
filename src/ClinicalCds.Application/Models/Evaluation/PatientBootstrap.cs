namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>
/// The cluster bootstrap over patients: a resample draws as many patients as the split holds, with replacement, and takes
/// every row of each drawn patient (a patient drawn twice counts twice). Rows of one patient — a complication model's
/// overlapping scoring instants, a readmission model's repeated discharges — are not independent, so resampling rows
/// would give intervals too narrow (Field CA, Welsh AH. Bootstrapping clustered data. J R Stat Soc B 2007;69:369-390).
/// A resample is a vector of row weights, so every statistic is computed once, weighted, for the estimate (all weights 1)
/// and for each resample alike. Resample r depends only on (seed, r): the intervals are reproducible and parallel.
/// </summary>
public sealed class PatientBootstrap
{
    private readonly int[] _patientOfRow;

    public PatientBootstrap(IReadOnlyList<string> patientOfRow)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        _patientOfRow = new int[patientOfRow.Count];
        for (var i = 0; i < patientOfRow.Count; i++)
        {
            if (!index.TryGetValue(patientOfRow[i], out var patient))
            {
                patient = index.Count;
                index[patientOfRow[i]] = patient;
            }

            _patientOfRow[i] = patient;
        }

        Patients = index.Count;
    }

    public int Rows => _patientOfRow.Length;

    public int Patients { get; }

    /// <summary>Row weights of resample <paramref name="resample"/>: how many times its patient was drawn.</summary>
    public double[] Resample(int seed, int resample)
    {
        var random = new Random(unchecked((seed * 1_000_003) + resample));
        var drawn = new int[Patients];
        for (var k = 0; k < Patients; k++)
        {
            drawn[random.Next(Patients)]++;
        }

        var weights = new double[Rows];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = drawn[_patientOfRow[i]];
        }

        return weights;
    }

    /// <summary>
    /// The estimate of each statistic with its 95% percentile interval over <paramref name="resamples"/> resamples. A
    /// statistic is a vector of values computed from row weights; NaN (undefined in a resample, e.g. no positive drawn)
    /// is left out of that statistic's percentiles. An interval that says nothing about precision is "not estimable"
    /// (NaN bounds, issue 32 item 4): one that excludes its own estimate (a statistic biased in small samples, like the
    /// expected calibration error, whose resamples all lie above it) or one of no width (nothing varied across resamples:
    /// a group without an event has an observed rate of 0 in every one, which is no evidence that the rate is 0).
    /// </summary>
    public IReadOnlyList<CardEstimate> Estimate(Func<double[], double[]> statistics, int resamples, int seed)
    {
        var estimate = statistics(Metrics.Ones(Rows));
        var values = new double[resamples][];
        Parallel.For(0, resamples, r => values[r] = statistics(Resample(seed, r)));
        return estimate.Select((value, s) =>
        {
            var (low, high) = Percentile95([.. values.Select(v => v[s]).Where(v => !double.IsNaN(v))]);
            return low <= value && value <= high && low < high ? new CardEstimate(value, low, high) : new CardEstimate(value, double.NaN, double.NaN);
        }).ToList();
    }

    /// <summary>The 2.5th and 97.5th percentiles (NaN when there are no values).</summary>
    public static (double Low, double High) Percentile95(List<double> values)
    {
        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        values.Sort();
        return (values[(int)(0.025 * (values.Count - 1))], values[(int)Math.Ceiling(0.975 * (values.Count - 1))]);
    }
}
