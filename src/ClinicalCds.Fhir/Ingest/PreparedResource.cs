using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Fhir.Ingest;

/// <summary>
/// A validated resource ready for the store: its canonical JSON (meta.versionId and meta.lastUpdated removed,
/// since the store owns them), the SHA-256 of that JSON (equal hashes mean an unchanged resource), and its facts.
/// </summary>
public sealed record PreparedResource(
    string ResourceType,
    string Id,
    string? PatientId,
    byte[] Json,
    byte[] ContentHash,
    ProjectedFacts Facts);
