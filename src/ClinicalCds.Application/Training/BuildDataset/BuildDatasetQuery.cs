using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Training.BuildDataset;

/// <summary>
/// Every example of <paramref name="Risk"/> in the store up to <paramref name="DataCutoff"/> (the end of the data) as a
/// training row: features as of the example's instant, the label after it by the risk's outcome rule (null when its
/// window is not all in the data), and the patient's split (a hash of <paramref name="Seed"/> and the patient id, so a
/// patient is never in both).
/// </summary>
public sealed record BuildDatasetQuery(RiskDefinition Risk, DateTimeOffset DataCutoff, ulong Seed = 2026, double TestFraction = 0.2)
    : IStreamQuery<DatasetRow>;

/// <summary>
/// One example; <see cref="Event"/> names what happened (the readmission encounter, or the deterioration type);
/// <see cref="Baselines"/> holds the risk's published baselines' totals at the same instant (LACE and HOSPITAL, or NEWS2);
/// <see cref="Race"/> and <see cref="Ethnicity"/> (where recorded) are for subgroup results only, never features.
/// </summary>
public sealed record DatasetRow(
    string PatientId, string EncounterId, DateTimeOffset Instant, bool IsTest, bool? Label, string? Event, FeatureVector Features,
    IReadOnlyDictionary<string, int> Baselines, string? Race = null, string? Ethnicity = null);
