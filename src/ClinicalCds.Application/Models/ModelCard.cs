using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClinicalCds.Application.Models;

/// <summary>
/// A model input: its reference statistics over the recorded training values, the share not recorded, and its
/// <see cref="Reference"/> values (the plausible values a missing input is averaged over; see <see cref="MissingInputs"/>).
/// </summary>
public sealed record CardFeature(
    string Name, string Unit, string Definition, double Mean, double StandardDeviation, double MissingShare, IReadOnlyList<double> Reference);

public sealed record CardMetrics(
    int Rows, int Positives, double Auroc, double AurocLow, double AurocHigh, double Auprc, double Brier,
    double ExpectedCalibrationError, double CalibrationIntercept, double CalibrationSlope);

public sealed record CardCalibration(string Method, double Intercept, double Slope, string Note);

public sealed record CardTiers(double Moderate, double High, string Note);


public sealed record CardSubgroup(string Group, int Rows, int Positives, double Auroc);

/// <summary>
/// model-card.json: what the model is for, what it predicts, on which features (in ONNX input order), how it was trained
/// and how well it did, its calibration and tier thresholds, and the sha256 of model.onnx (the runtime refuses a
/// mismatch).
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
    IReadOnlyDictionary<string, double> BaselineAuroc,
    double? OracleAuroc,
    IReadOnlyList<CardSubgroup> Subgroups,
    CardTiers Tiers,
    string Sha256,
    string Warning)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
