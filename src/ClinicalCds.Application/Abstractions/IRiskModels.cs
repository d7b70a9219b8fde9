using ClinicalCds.Domain.Models;
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

    /// <summary>How the inputs vary together in training (ADR 0009), to complete missing inputs given the recorded ones; null in a package from before it.</summary>
    InputDependence? Dependence => null;
}

/// <summary>The models under models/: the active version of each, its candidate, and why any folder was refused.</summary>
public interface IRiskModels
{
    /// <summary>The active version: the one that answers hooks and runs.</summary>
    IRiskModel? Find(string name);

    /// <summary>The candidate version, scored beside the active one and never shown (<see cref="ServingState"/>); null when none.</summary>
    IRiskModel? Candidate(string name);

    IReadOnlyList<string> Refused { get; }
}

public static class RiskModelsExtensions
{
    /// <summary>The methods ("readmission model 0.9.0") of the active versions of <paramref name="names"/>: what is served now.</summary>
    public static IReadOnlySet<string> ServedMethods(this IRiskModels models, IEnumerable<string> names) =>
        names.Select(models.Find).OfType<IRiskModel>().Select(m => m.Card.SourceLabel).ToHashSet(StringComparer.Ordinal);
}

/// <summary>Which version of each model is active (<see cref="ServingState"/>), and changing it.</summary>
public interface IModelServing
{
    ServedVersions Versions(string name);

    /// <summary>Writes the model's serving state beside its versions and serves by it at once (other processes on the folder follow).</summary>
    void Change(string name, ServingState state);
}
