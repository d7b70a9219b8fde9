using System.Text.Json;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Fhir.Mapping;

/// <summary>
/// A patient's timeline from FHIR resources (JSON), as they arrive in a CDS Hooks prefetch or from a fhirServer.
/// The same <see cref="FactMapper"/> that feeds the store's projections reads them, so a patient gives the same
/// features whichever way their record reached us.
/// </summary>
public static class FhirTimeline
{
    public static PatientTimeline Build(string patientId, IEnumerable<JsonElement> resources, ICollection<string>? problems = null) =>
        PatientTimeline.Create(patientId, resources.Select(r => FactMapper.Map(r, problems)).ToList());
}
