using System.Text.Json;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Fhir.Mapping;

/// <summary>
/// A patient's facts and timeline from FHIR resources (JSON), as they arrive in a CDS Hooks prefetch or from a
/// fhirServer: the hook reads every page through <see cref="Facts"/> (EvaluateHook's PrefetchResolver). The same
/// <see cref="FactMapper"/> feeds the store's projections at ingest, so a patient gives the same features whichever way
/// their record reached us (FeatureParityTests).
/// </summary>
public static class FhirTimeline
{
    /// <summary>The clinical facts of <paramref name="resources"/>; what could not be read is added to <paramref name="problems"/>.</summary>
    public static IEnumerable<ProjectedFacts> Facts(IEnumerable<JsonElement> resources, ICollection<string>? problems = null, Terminology? terminology = null) =>
        resources.Select(r => FactMapper.Map(r, problems, terminology));

    public static PatientTimeline Build(
        string patientId, IEnumerable<JsonElement> resources, ICollection<string>? problems = null, Terminology? terminology = null) =>
        PatientTimeline.Create(patientId, Facts(resources, problems, terminology).ToList(), terminology?.Time);
}
