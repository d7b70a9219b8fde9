using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.Application.Abstractions;

/// <summary>A loaded model: its card and a calibrated probability for feature vectors of its catalog version.</summary>
public interface IRiskModel
{
    ModelCard Card { get; }

    /// <summary>Calibrated probabilities, one per vector (any batch size).</summary>
    IReadOnlyList<double> Predict(IReadOnlyList<FeatureVector> vectors);

    /// <summary>
    /// Per-feature contributions in calibrated log-odds (catalog order) that add up, with the base value, to the logit of
    /// the predicted probability; null when the model ships no trees to explain it with.
    /// </summary>
    (double BaseValue, IReadOnlyList<double> Contributions)? Explain(FeatureVector vector);
}

/// <summary>The models under models/: the newest valid version of each, and why any other was refused.</summary>
public interface IRiskModels
{
    IRiskModel? Find(string name);

    IReadOnlyList<string> Refused { get; }
}
