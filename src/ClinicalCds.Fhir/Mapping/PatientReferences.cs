using System.Text.Json;

namespace ClinicalCds.Fhir.Mapping;

/// <summary>Which patient a resource belongs to (the Patient compartment, for the resource types we meet).</summary>
public static class PatientReferences
{
    public static string? PatientIdOf(JsonElement resource)
    {
        var type = FhirValues.String(resource, "resourceType");
        if (type == "Patient")
        {
            return FhirValues.String(resource, "id");
        }

        // An appointment names its patient among its participants (follow-up visits on the worklist).
        if (type == "Appointment")
        {
            return FhirValues.Property(resource, "participant") is { ValueKind: JsonValueKind.Array } participants
                ? participants.EnumerateArray().Select(p => FhirValues.ReferencedId(FhirValues.Property(p, "actor"), "Patient")).FirstOrDefault(id => id is not null)
                : null;
        }

        // The element that names the patient in each type (FHIR R4 Patient compartment definition).
        var element = type switch
        {
            "Encounter" or "Condition" or "Observation" or "Procedure" or "MedicationRequest" or "MedicationAdministration"
                or "MedicationStatement" or "DiagnosticReport" or "CarePlan" or "CareTeam" or "Goal" or "ImagingStudy"
                or "RiskAssessment" or "ServiceRequest" or "DocumentReference" => "subject",
            "Immunization" or "AllergyIntolerance" or "Claim" or "ExplanationOfBenefit" or "Device" or "SupplyDelivery" => "patient",
            "Coverage" => "beneficiary",
            _ => null,
        };
        return element is null ? null : FhirValues.ReferencedId(FhirValues.Property(resource, element), "Patient");
    }
}
