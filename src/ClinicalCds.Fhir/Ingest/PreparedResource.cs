using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Fhir.Ingest;

/// <summary>
/// A validated resource ready for the store: its JSON as received (only meta.versionId and meta.lastUpdated are
/// removed, since the store owns them) and its clinical facts. The store compares contents as jsonb, so key order
/// and white space never make an unchanged resource look changed.
/// </summary>
public sealed record PreparedResource(
    string ResourceType,
    string Id,
    string? PatientId,
    byte[] Json,
    ProjectedFacts Facts);
