using ClinicalCds.Domain.Features;
using Mediator;

namespace ClinicalCds.Application.Training.BuildReadmissionDataset;

/// <summary>
/// Every index discharge in the store up to <paramref name="DataCutoff"/> (the end of the data), as a training row:
/// features as of the discharge, the 30-day unplanned readmission label (null when not known yet), and the patient's
/// split (a hash of <paramref name="Seed"/> and the patient id).
/// </summary>
public sealed record BuildReadmissionDatasetQuery(DateTimeOffset DataCutoff, ulong Seed = 2026, double TestFraction = 0.2)
    : IStreamQuery<DatasetRow>;

public sealed record DatasetRow(
    string PatientId, string EncounterId, DateTimeOffset Instant, bool IsTest, bool? Label, string? ReadmissionEncounterId, FeatureVector Features);
