using ClinicalCds.Domain.Models;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClinicalCds.Application.Models;

/// <summary>
/// A model input: its reference statistics over the recorded training values, the share not recorded, and its
/// <see cref="Reference"/> values (the plausible values a missing input is averaged over; see <see cref="MissingInputs"/>).
/// </summary>
public sealed record CardFeature(
    string Name, string Unit, string Definition, double Mean, double StandardDeviation, double MissingShare, IReadOnlyList<double> Reference)
{
    /// <summary>
    /// The input as nightly runs see it in the training population, which input drift is judged against (issue 32 item 5);
    /// null on cards trained before it, which are judged against <see cref="Reference"/> and <see cref="MissingShare"/>.
    /// </summary>
    public Evaluation.ServingReference? Serving { get; init; }
}

/// <summary>
/// An estimate and its 95% interval (percentiles of a patient-level bootstrap; NaN bounds when no interval could be
/// estimated — see <see cref="Evaluation.PatientBootstrap.Estimate"/> — and a NaN value when the estimate itself could not be).
/// </summary>
public sealed record CardEstimate(double Value, double Low, double High)
{
    public const string NoInterval = "interval not estimable";

    /// <summary>"0.834 (0.825–0.843)" in <paramref name="format"/>; "0.000 (interval not estimable)"; "—" for what could not be estimated.</summary>
    public string Show(string format) =>
        double.IsNaN(Value) ? "—"
        : double.IsNaN(Low) ? $"{Value.ToString(format, CultureInfo.InvariantCulture)} ({NoInterval})"
        : $"{Value.ToString(format, CultureInfo.InvariantCulture)} ({Low.ToString(format, CultureInfo.InvariantCulture)}–{High.ToString(format, CultureInfo.InvariantCulture)})";

    /// <summary>A rate in percent with its interval: "12.3 (10.1–14.6) %", "0.0 % (interval not estimable)".</summary>
    public string ShowPercent() =>
        double.IsNaN(Value) ? "—"
        : double.IsNaN(Low) ? $"{(Value * 100).ToString("0.0", CultureInfo.InvariantCulture)} % ({NoInterval})"
        : new CardEstimate(Value * 100, Low * 100, High * 100).Show("0.0") + " %";
}

/// <summary>One bin of the calibration curve: a tenth of the rows by predicted probability (equal counts, not equal widths).</summary>
public sealed record CardCalibrationBin(int Rows, double MeanPredicted, CardEstimate Observed);

/// <summary>What flagging every row at or above a tier's threshold does: alert rate, sensitivity, positive predictive value.</summary>
public sealed record CardTierRates(string Tier, double Threshold, CardEstimate AlertRate, CardEstimate Sensitivity, CardEstimate PositivePredictiveValue);

/// <summary>
/// Performance on the test split (TRIPOD+AI 23a/b): discrimination, calibration-in-the-large and slope (Van Calster 2016),
/// the calibration curve over deciles of predicted risk, expected calibration error over those deciles, and the rates at
/// each tier; every interval from the same patient-level bootstrap (<see cref="Method"/>).
/// </summary>
public sealed record CardMetrics(
    int Rows,
    int Patients,
    int Positives,
    CardEstimate Auroc,
    CardEstimate Auprc,
    CardEstimate Brier,
    CardEstimate CalibrationInTheLarge,
    CardEstimate CalibrationSlope,
    CardEstimate ExpectedCalibrationError,
    IReadOnlyList<CardCalibrationBin> CalibrationCurve,
    IReadOnlyList<CardTierRates> AtTiers,
    string Method);

/// <summary>A published score on the same rows: its AUROC and the paired difference model − score, from the same resamples.</summary>
public sealed record CardBaseline(string Name, CardEstimate Auroc, CardEstimate ModelMinusBaseline);

/// <summary>Tier thresholds on calibrated probability, chosen on the validation split (never on the test split they are reported on).</summary>
public sealed record CardTiers(double Moderate, double High, string Note)
{
    /// <summary>The tier code ("high", "moderate", "low") of a probability at these thresholds.</summary>
    public string TierOf(double probability) => probability >= High ? "high" : probability >= Moderate ? "moderate" : "low";
}

/// <summary>
/// One subgroup of the test split: discrimination and calibration (observed over expected events, mean predicted against
/// observed rate) with intervals, and the rates at the tiers; <see cref="Note"/> says when the group is too small to read
/// much into (its AUROC is then not estimated).
/// </summary>
public sealed record CardSubgroup(
    string Group, int Rows, int Patients, int Positives, CardEstimate? Auroc, CardEstimate ObservedToExpected,
    double MeanPredicted, double Observed, IReadOnlyList<CardTierRates> AtTiers, string? Note);

/// <summary>The evaluation of a model on data it was not trained on (e.g. a hospital's own patients), kept in its card.</summary>
public sealed record CardExternalEvaluation(
    string Data, DateTimeOffset EvaluatedAt, CardMetrics Metrics, IReadOnlyList<CardBaseline> Baselines, string Summary,
    IReadOnlyList<CardRangeCoverage>? RangeCoverage = null)
{
    /// <summary>
    /// The same coverage with the completions' distributions refitted on these data, cross-validated by patient
    /// (<see cref="Models.RangeCoverage.MeasureWithLocalCompletions"/>): what `clinicalcds recalibrate --completions local` would give.
    /// </summary>
    public IReadOnlyList<CardRangeCoverage>? LocalRangeCoverage { get; init; }
}

/// <summary>
/// Whether the stated plausible range holds (issue 31): with the inputs of <see cref="Mask"/> removed from charts that
/// had them, how often the range the card then states contains the estimate of the chart as it was.
/// </summary>
public sealed record CardRangeCoverage(string Mask, int Rows, int Covered, int Above = 0)
{
    /// <summary>Charts whose estimate fell below the range stated without the inputs (the rest of the misses are <see cref="Above"/>).</summary>
    public int Below => Rows - Covered - Above;

    public double Share => Rows == 0 ? double.NaN : (double)Covered / Rows;

    /// <summary>The 95 % interval of <see cref="Share"/> over resamples of patients; null when not estimable (or not measured).</summary>
    public double? Low { get; init; }

    /// <inheritdoc cref="Low"/>
    public double? High { get; init; }

    /// <summary>The patient folds a cross-validated coverage was measured over (<see cref="Models.RangeCoverage.FoldsFor"/>); null when not cross-validated.</summary>
    public int? Folds { get; init; }

    /// <summary>
    /// The same count over the charts where what the mask removed was abnormal (a lab outside its reference interval, a
    /// vital sign outside NEWS2's 0-point band: <see cref="Domain.Features.NormalLimits"/>) — the patients a missing value
    /// matters most for; null when the mask's inputs have no normal values (conditions) or it was not measured.
    /// </summary>
    public CardRangeCoverage? WhereAbnormal { get; init; }
}

/// <summary>
/// What a package is sealed with when it is written (issue 32 item 2): the sha256 of each file besides model.onnx that
/// changes an answer (<see cref="Trees"/>, <see cref="Dependence"/>; model.onnx's is <see cref="ModelCard.Sha256"/>) and of
/// the card's own parts that do (<see cref="Answer"/>: name, version, catalog, ONNX names and hash, features with their
/// reference values, calibration, tiers). Evaluations recorded later are not sealed: they change no answer.
/// </summary>
public sealed record CardManifest(string Trees, string? Dependence, string Answer);

/// <summary>
/// Where a recalibrated version's calibration came from (issue 32 item 1): the version it was refitted from, on which
/// data and instant, by which method, on how many targets, patients and events, and the evaluation on those targets
/// before, after (in sample: the refit's own data, optimistic) and cross-validated by patient (each fold's probabilities
/// from a calibration fitted without its patients: the honest estimate).
/// </summary>
public sealed record CardRecalibration(
    string FromVersion, string Data, DateTimeOffset AsOf, DateTimeOffset RecalibratedAt, string Method, int Rows, int Patients, int Events,
    CardMetrics Before, CardMetrics After, CardMetrics? CrossValidated, string Note)
{
    /// <summary>
    /// Whether the completions of missing inputs were refitted on the same data ("local": each input's distribution,
    /// <see cref="InputDependence.WithLocalMarginals"/>) or kept from training (null).
    /// </summary>
    public string? Completions { get; init; }
}

/// <summary>
/// model-card.json: what the model is for, what it predicts, on which features (in ONNX input order), how it was trained
/// and how well it did, its calibration and tier thresholds, the sha256 of model.onnx and the package's
/// <see cref="CardManifest"/> (the runtime refuses a package that does not match them).
/// </summary>
public sealed record ModelCard(
    string Name,
    string Version,
    string IntendedUse,
    string Outcome,
    string FeatureCatalogVersion,
    string OnnxInput,
    string OnnxOutput,
    string MissingInputs,
    IReadOnlyList<CardFeature> Features,
    string TrainingData,
    IReadOnlyDictionary<string, object> Hyperparameters,
    CardCalibration Calibration,
    CardMetrics Test,
    IReadOnlyList<CardBaseline> Baselines,
    double? OracleAuroc,
    IReadOnlyList<CardSubgroup> Subgroups,
    CardTiers Tiers,
    string Sha256,
    string Warning,
    IReadOnlyList<CardExternalEvaluation>? ExternalEvaluations = null,
    CardBaseline? Oracle = null,
    IReadOnlyList<CardRangeCoverage>? RangeCoverage = null,
    CardManifest? Manifest = null,
    CardRecalibration? Recalibration = null)
{
    /// <summary>How its answers name their source ("readmission model 0.3.0"), and the method under which they are stored and monitored.</summary>
    [JsonIgnore]
    public string SourceLabel => $"{Name} model {Version}";

    /// <summary>
    /// One sentence for a CDS card on how far the model has been tested: its AUROC on its own test split beside the
    /// published scores', on each external evaluation, and that it is not clinically validated — so a clinician weighs a
    /// margin measured on a synthetic population for what it is (issue 37).
    /// </summary>
    [JsonIgnore]
    public string Evidence
    {
        get
        {
            static string Scores(CardMetrics m, IReadOnlyList<CardBaseline> baselines) =>
                string.Create(CultureInfo.InvariantCulture, $"AUROC {m.Auroc.Value:0.00}")
                + (baselines.Count == 0 ? string.Empty
                    : $" ({string.Join(", ", baselines.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Name} {b.Auroc.Value:0.00}")))})");
            var tested = new List<string> { $"{Scores(Test, Baselines)} on its training data's test split" };
            tested.AddRange((ExternalEvaluations ?? []).Select(e =>
                string.Create(CultureInfo.InvariantCulture, $"{Scores(e.Metrics, e.Baselines)} on {e.Data.Split(" (")[0]} ({e.Metrics.Rows:N0} cases, {e.Metrics.Positives:N0} events)")));
            return $"How far {SourceLabel} has been tested: {string.Join("; ", tested)}. Not clinically validated; its model card says what these numbers can and cannot show.";
        }
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
