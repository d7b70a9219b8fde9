using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using Mediator;

namespace ClinicalCds.Application.Features.GetPatientFeatures;

/// <summary>
/// A patient's feature vector and published-score breakdowns around a stay: <paramref name="EncounterId"/>, or the
/// latest inpatient stay started by <paramref name="AsOf"/> (default: now). A discharged stay is judged at its discharge.
/// </summary>
public sealed record GetPatientFeaturesQuery(string PatientId, DateTimeOffset? AsOf = null, string? EncounterId = null)
    : IQuery<PatientFeaturesResult>;

public enum PatientFeaturesStatus
{
    Found,
    PatientNotFound,
    NoStay,
}

public sealed record PatientFeaturesResult(
    PatientFeaturesStatus Status,
    string Message,
    ClinicalFeatures? Features = null,
    FeatureVector? Vector = null,
    IReadOnlyList<ScoreResult>? Scores = null);
