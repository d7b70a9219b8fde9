using Hl7.Fhir.Model;

namespace ClinicalCds.Fhir.Mapping;

/// <summary>Which patient a resource belongs to (the Patient compartment, for the resource types we meet).</summary>
public static class PatientReferences
{
    public static string? PatientIdOf(Resource resource)
    {
        if (resource is Patient patient)
        {
            return patient.Id;
        }

        var reference = resource switch
        {
            Encounter r => r.Subject,
            Condition r => r.Subject,
            Observation r => r.Subject,
            Procedure r => r.Subject,
            MedicationRequest r => r.Subject,
            MedicationAdministration r => r.Subject,
            MedicationStatement r => r.Subject,
            DiagnosticReport r => r.Subject,
            Immunization r => r.Patient,
            AllergyIntolerance r => r.Patient,
            CarePlan r => r.Subject,
            CareTeam r => r.Subject,
            Goal r => r.Subject,
            Claim r => r.Patient,
            ExplanationOfBenefit r => r.Patient,
            ImagingStudy r => r.Subject,
            RiskAssessment r => r.Subject,
            ServiceRequest r => r.Subject,
            DocumentReference r => r.Subject,
            Coverage r => r.Beneficiary,
            Device r => r.Patient,
            SupplyDelivery r => r.Patient,
            _ => null,
        };
        return FhirValues.ReferencedId(reference, "Patient");
    }
}
