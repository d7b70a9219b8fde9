using System.Globalization;
using System.Text.Json;
using ClinicalCds.Domain.Clinical;
using static ClinicalCds.Synthetic.NdjsonSink;

namespace ClinicalCds.Synthetic;

/// <summary>
/// Writes one synthetic patient's record as FHIR R4 resources into an <see cref="NdjsonSink"/>: the resources' shapes
/// only. What happens to the patient, and every random draw (resource ids included), is <see cref="PatientSimulator"/>'s.
/// </summary>
internal sealed class SyntheticFhirWriter(NdjsonSink sink, string patientId, DateTime asOf)
{
    public const string HospitalId = "clinicalcds-general-hospital";

    public static readonly (string Code, string Display) VitalSigns = ("vital-signs", "Vital Signs");
    public static readonly (string Code, string Display) Laboratory = ("laboratory", "Laboratory");

    /// <summary>A final Observation with a quantity.</summary>
    public void Observation(string id, string encounterId, DateTime at, (string Code, string Display) category, (string Loinc, string Display) code, double value, string unit)
    {
        var w = BeginObservation(id, encounterId, at, category, code);
        Quantity(w, "valueQuantity", value, unit);
        sink.End();
    }

    /// <summary>A final Observation with a coded answer.</summary>
    public void CodedObservation(
        string id, string encounterId, DateTime at, (string Code, string Display) category, (string Loinc, string Display) code, (string System, string Code, string Display) value)
    {
        var w = BeginObservation(id, encounterId, at, category, code);
        Concept(w, "valueCodeableConcept", value);
        sink.End();
    }

    /// <summary>A blood pressure panel with its systolic and diastolic components (mm[Hg]).</summary>
    public void BloodPressure(string id, string encounterId, DateTime at, double systolic, double diastolic)
    {
        var w = BeginObservation(id, encounterId, at, VitalSigns, (Loinc.BloodPressurePanel, "Blood pressure panel with all children optional"));
        w.WriteStartArray("component");
        foreach (var (loinc, display, value) in new[] { (Loinc.SystolicBloodPressure, "Systolic blood pressure", systolic), (Loinc.DiastolicBloodPressure, "Diastolic blood pressure", diastolic) })
        {
            w.WriteStartObject();
            Concept(w, "code", (CodeSystems.Loinc, loinc, display));
            Quantity(w, "valueQuantity", value, "mm[Hg]");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        sink.End();
    }

    /// <summary>Starts a final Observation of the patient at the encounter; the caller writes its value and ends it.</summary>
    private Utf8JsonWriter BeginObservation(string id, string encounterId, DateTime at, (string Code, string Display) category, (string Loinc, string Display) code)
    {
        var w = sink.Begin("Observation", id);
        w.WriteString("status", "final");
        Category(w, CodeSystems.ObservationCategory, category.Code, category.Display);
        Concept(w, "code", (CodeSystems.Loinc, code.Loinc, code.Display));
        Reference(w, "subject", $"Patient/{patientId}");
        Reference(w, "encounter", $"Encounter/{encounterId}");
        w.WriteString("effectiveDateTime", Instant(at));
        return w;
    }

    public void Encounter(
        string id, string classCode, string typeCode, string typeDisplay, DateTime start, DateTime? end, string priority, string? admitSource,
        string? disposition, (string Code, string Display)? service, IReadOnlyList<(string LocationId, string Display, DateTime Start, DateTime? End)> locations)
    {
        var w = sink.Begin("Encounter", id);
        w.WriteString("status", end is null ? "in-progress" : "finished");
        Coding(w, "class", CodeSystems.ActCode, classCode, classCode switch { "IMP" => "inpatient encounter", "EMER" => "emergency", _ => "ambulatory" });
        ConceptArray(w, "type", CodeSystems.SnomedCt, typeCode, typeDisplay);
        if (service is { } s)
        {
            Concept(w, "serviceType", (Catalog.ServiceSystem, s.Code, s.Display));
        }

        Concept(w, "priority", (CodeSystems.ActPriority, priority, priority switch { "EM" => "emergency", "EL" => "elective", _ => "routine" }));
        Reference(w, "subject", $"Patient/{patientId}");
        Period(w, "period", start, end);
        if (admitSource is not null || disposition is not null)
        {
            w.WriteStartObject("hospitalization");
            if (admitSource is not null)
            {
                Concept(w, "admitSource", (CodeSystems.AdmitSource, admitSource, admitSource == "emd" ? "From accident/emergency department" : "From outpatient department"));
            }

            if (disposition is not null)
            {
                Concept(w, "dischargeDisposition", (CodeSystems.DischargeDisposition, disposition, DispositionDisplay(disposition)));
            }

            w.WriteEndObject();
        }

        if (locations.Count > 0)
        {
            w.WriteStartArray("location");
            foreach (var (locationId, display, from, to) in locations)
            {
                w.WriteStartObject();
                Reference(w, "location", $"Location/{locationId}", display);
                w.WriteString("status", to is null ? "active" : "completed");
                Period(w, "period", from, to);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        Reference(w, "serviceProvider", $"Organization/{HospitalId}", "ClinicalCds General Hospital");
        sink.End();
    }

    private static string DispositionDisplay(string code) => Domain.Features.EncounterKinds.DispositionDisplay(code)!;

    public void Condition(string id, Diagnosis diagnosis, DateTime onset, string? encounterId, string category, bool withSnomed)
    {
        var w = sink.Begin("Condition", id);
        Concept(w, "clinicalStatus", (CodeSystems.ConditionClinical, encounterId is null ? "active" : "resolved", encounterId is null ? "Active" : "Resolved"));
        Concept(w, "verificationStatus", (CodeSystems.ConditionVerification, "confirmed", "Confirmed"));
        Category(w, CodeSystems.ConditionCategory, category, category == "encounter-diagnosis" ? "Encounter Diagnosis" : "Problem List Item");
        if (withSnomed)
        {
            Concept(w, "code", (CodeSystems.Icd10Cm, diagnosis.Icd10Cm, diagnosis.Display), (CodeSystems.SnomedCt, diagnosis.Snomed, diagnosis.Display));
        }
        else
        {
            Concept(w, "code", (CodeSystems.Icd10Cm, diagnosis.Icd10Cm, diagnosis.Display));
        }

        Reference(w, "subject", $"Patient/{patientId}");
        if (encounterId is not null)
        {
            Reference(w, "encounter", $"Encounter/{encounterId}");
        }

        w.WriteString("onsetDateTime", Instant(onset));
        w.WriteString("recordedDate", Instant(onset));
        sink.End();
    }

    public void Procedure(string id, string encounterId, CodedProcedure procedure, DateTime start, DateTime end)
    {
        var w = sink.Begin("Procedure", id);
        w.WriteString("status", "completed");
        Concept(w, "code", (CodeSystems.SnomedCt, procedure.Snomed, procedure.Display));
        Reference(w, "subject", $"Patient/{patientId}");
        Reference(w, "encounter", $"Encounter/{encounterId}");
        Period(w, "performedPeriod", start, end < asOf ? end : null);
        sink.End();
    }

    public void MedicationRequest(string id, Medication medication, DateTime authored, string? encounterId)
    {
        var w = sink.Begin("MedicationRequest", id);
        w.WriteString("status", "active");
        w.WriteString("intent", "order");
        Concept(w, "medicationCodeableConcept", (CodeSystems.RxNorm, medication.RxNorm, medication.Display));
        Reference(w, "subject", $"Patient/{patientId}");
        if (encounterId is not null)
        {
            Reference(w, "encounter", $"Encounter/{encounterId}");
        }

        w.WriteString("authoredOn", Instant(authored));
        sink.End();
    }

    public void Patient(string mrn, (string Code, string Display) race, string family, string given, bool female, DateTime birth, DateTime? deceasedAt,
        (string Id, string Given, string Family)? primaryCare)
    {
        var w = sink.Begin("Patient", patientId);
        w.WriteStartArray("extension");
        w.WriteStartObject();
        w.WriteString("url", "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race");
        w.WriteStartArray("extension");
        w.WriteStartObject();
        w.WriteString("url", "ombCategory");
        Coding(w, "valueCoding", "urn:oid:2.16.840.1.113883.6.238", race.Code, race.Display);
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("url", "text");
        w.WriteString("valueString", race.Display);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("identifier");
        w.WriteStartObject();
        Concept(w, "type", ("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number"));
        w.WriteString("system", Catalog.IdentifierSystem);
        w.WriteString("value", mrn);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("name");
        w.WriteStartObject();
        w.WriteString("use", "official");
        w.WriteString("family", family);
        w.WriteStartArray("given");
        w.WriteStringValue(given);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("gender", female ? "female" : "male");
        w.WriteString("birthDate", birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (deceasedAt is { } deceased)
        {
            w.WriteString("deceasedDateTime", Instant(deceased));
        }

        if (primaryCare is { } pcp)
        {
            w.WriteStartArray("generalPractitioner");
            w.WriteStartObject();
            w.WriteString("reference", $"Practitioner/{pcp.Id}");
            w.WriteString("display", $"Dr. {pcp.Given} {pcp.Family}");
            w.WriteEndObject();
            w.WriteEndArray();
        }

        sink.End();
    }

    /// <summary>
    /// A follow-up visit booked at a discharge: with the patient's primary care physician, or else the hospital's
    /// transitions clinic; <paramref name="status"/> is what became of it by the as-of instant.
    /// </summary>
    public void Appointment(string id, string status, DateTime start, DateTime created, string encounterId, (string Id, string Given, string Family)? primaryCare)
    {
        var w = sink.Begin("Appointment", id);
        w.WriteString("status", status);
        Concept(w, "appointmentType", ("http://terminology.hl7.org/CodeSystem/v2-0276", "FOLLOWUP", "A follow up visit from a previous appointment"));
        w.WriteString("description", "Follow-up after hospital discharge");
        w.WriteString("start", Instant(start));
        w.WriteString("end", Instant(start.AddMinutes(30)));
        w.WriteNumber("minutesDuration", 30);
        w.WriteString("created", Instant(created));
        w.WriteStartArray("supportingInformation");
        w.WriteStartObject();
        w.WriteString("reference", $"Encounter/{encounterId}");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("participant");
        w.WriteStartObject();
        Reference(w, "actor", $"Patient/{patientId}");
        w.WriteString("required", "required");
        w.WriteString("status", "accepted");
        w.WriteEndObject();
        w.WriteStartObject();
        if (primaryCare is { } pcp)
        {
            Reference(w, "actor", $"Practitioner/{pcp.Id}", $"Dr. {pcp.Given} {pcp.Family}");
        }
        else
        {
            Reference(w, "actor", $"Location/{Catalog.TransitionsClinicId}", "Transitions of care clinic");
        }

        w.WriteString("required", "required");
        w.WriteString("status", "accepted");
        w.WriteEndObject();
        w.WriteEndArray();
        sink.End();
    }

    /// <summary>The hospital and its locations, which every patient's encounters name.</summary>
    public static void SharedResources(NdjsonSink sink)
    {
        var w = sink.Begin("Organization", HospitalId);
        w.WriteBoolean("active", true);
        w.WriteString("name", "ClinicalCds General Hospital");
        sink.End();
        foreach (var (id, name, icu) in new[]
        {
            ("ed", "Emergency department", false), ("icu", "Medical intensive care unit", true), ("step-down", "Step-down unit", false),
            ("ward-medicine", "General medicine ward", false), ("ward-cardiology", "Cardiology ward", false), ("ward-oncology", "Oncology ward", false),
            ("ward-pulmonology", "Pulmonology ward", false), ("ward-surgery", "General surgery ward", false), ("ward-orthopedics", "Orthopedics ward", false),
        })
        {
            w = sink.Begin("Location", id);
            w.WriteString("status", "active");
            w.WriteString("name", name);
            ConceptArray(w, "type", CodeSystems.RoleCode, icu ? "ICU" : id == "ed" ? "ER" : "HU", icu ? "Intensive care unit" : id == "ed" ? "Emergency room" : "Hospital unit");
            Reference(w, "managingOrganization", $"Organization/{HospitalId}");
            sink.End();
        }

        w = sink.Begin("Location", Catalog.TransitionsClinicId);
        w.WriteString("status", "active");
        w.WriteString("name", "Transitions of care clinic");
        ConceptArray(w, "type", CodeSystems.RoleCode, "HOSP", "Hospital");
        Reference(w, "managingOrganization", $"Organization/{HospitalId}");
        sink.End();

        foreach (var (id, given, family) in Catalog.PrimaryCarePhysicians)
        {
            w = sink.Begin("Practitioner", id);
            w.WriteBoolean("active", true);
            w.WriteStartArray("name");
            w.WriteStartObject();
            w.WriteString("family", family);
            w.WriteStartArray("given");
            w.WriteStringValue(given);
            w.WriteEndArray();
            w.WriteStartArray("prefix");
            w.WriteStringValue("Dr.");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            sink.End();
        }
    }
}
