using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Explanations;

namespace ClinicalCds.Application.Abstractions;

/// <summary>
/// A loaded model: its card, its raw output for complete input rows, and its trees for exact explanations. Probabilities,
/// missing inputs and explanations are computed from these by <see cref="Models.ModelInference"/>, the same for every caller.
/// </summary>
public interface IRiskModel
{
    ModelCard Card { get; }

    /// <summary>The model's raw outputs (before calibration), one per complete row of the card's features in order.</summary>
    double[] RawScores(IReadOnlyList<float[]> rows);

    /// <summary>The trees with their training covers: exact TreeSHAP and the average over missing inputs (required).</summary>
    TreeEnsemble Trees { get; }
}

/// <summary>The models under models/: the newest valid version of each, and why any other was refused.</summary>
public interface IRiskModels
{
    IRiskModel? Find(string name);

    IReadOnlyList<string> Refused { get; }
}
