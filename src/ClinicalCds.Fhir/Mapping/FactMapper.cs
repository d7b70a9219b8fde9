using System.Text.RegularExpressions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Units;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace ClinicalCds.Fhir.Mapping;

/// <summary>
/// FHIR R4 resources → clinical facts. The store projects exactly these facts and the feature builder reads
/// them, whether the resources came from a CDS Hooks prefetch, a fhirServer or the store.
/// </summary>
public static partial class FactMapper
{
    /// <summary>The facts of one resource; a resource without a logical id or patient has none.</summary>
    public static ProjectedFacts Map(Resource resource) => string.IsNullOrEmpty(resource.Id) ? ProjectedFacts.None : resource switch
    {
        Patient patient => new ProjectedFacts(Patient: Map(patient)),
        Encounter encounter when PatientOf(encounter.Subject) is { } p => new ProjectedFacts(Encounter: Map(encounter, p)),
        Condition condition when PatientOf(condition.Subject) is { } p => new ProjectedFacts(Conditions: Map(condition, p)),
        Observation observation when PatientOf(observation.Subject) is { } p => new ProjectedFacts(Observations: Map(observation, p)),
        Procedure procedure when PatientOf(procedure.Subject) is { } p => new ProjectedFacts(Procedure: Map(procedure, p)),
        MedicationRequest request when PatientOf(request.Subject) is { } p => new ProjectedFacts(MedicationRequest: Map(request, p)),
        _ => ProjectedFacts.None,
    };

    private static string? PatientOf(ResourceReference? subject) => FhirValues.ReferencedId(subject, "Patient");

    private static PatientFact Map(Patient patient)
    {
        var deceasedAt = patient.Deceased is FhirDateTime when ? FhirValues.Instant(when.Value) : null;
        var deceased = patient.Deceased switch
        {
            FhirBoolean flag => flag.Value == true,
            FhirDateTime => true,
            _ => false,
        };
        return new PatientFact(patient.Id!, FhirValues.Date(patient.BirthDate), patient.Gender?.GetLiteral(), deceased, deceasedAt, NameOf(patient), MrnOf(patient));
    }

    /// <summary>The official name (else the first), "Given Family".</summary>
    private static string? NameOf(Patient patient)
    {
        var name = patient.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Official) ?? patient.Name.FirstOrDefault();
        var text = name is null ? null : name.Text ?? string.Join(' ', name.Given.Append(name.Family).Where(p => !string.IsNullOrWhiteSpace(p)));
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    /// <summary>The medical record number: the identifier typed MR (HL7 v2 table 0203).</summary>
    private static string? MrnOf(Patient patient) => patient.Identifier
        .FirstOrDefault(i => i.Type?.Coding.Any(c => c.System == "http://terminology.hl7.org/CodeSystem/v2-0203" && c.Code == "MR") == true)?.Value;

    private static EncounterFact Map(Encounter encounter, string patientId)
    {
        var type = encounter.Type?.Select(FhirValues.FirstCoding).FirstOrDefault(c => c is not null);
        var locations = encounter.Location?
            .Select(l => new EncounterLocationFact(
                FhirValues.ReferencedId(l.Location, "Location"),
                l.Location?.Display,
                IsIntensiveCare(l.Location?.Display) || IsIntensiveCare(l.PhysicalType?.Text) || IsIntensiveCare(FhirValues.FirstCoding(l.PhysicalType)?.Display),
                FhirValues.Instant(l.Period?.Start),
                FhirValues.Instant(l.Period?.End)))
            .ToList() ?? [];
        return new EncounterFact(
            encounter.Id!,
            patientId,
            encounter.Status?.GetLiteral(),
            encounter.Class?.Code,
            type?.System,
            type?.Code,
            type?.Display,
            FhirValues.Instant(encounter.Period?.Start),
            FhirValues.Instant(encounter.Period?.End),
            FhirValues.FirstCoding(encounter.Priority)?.Code,
            FhirValues.FirstCoding(encounter.Hospitalization?.AdmitSource)?.Code,
            FhirValues.FirstCoding(encounter.Hospitalization?.DischargeDisposition)?.Code,
            FhirValues.FirstCoding(encounter.ServiceType)?.Code ?? encounter.ServiceType?.Text,
            locations);
    }

    private static IReadOnlyList<ConditionFact> Map(Condition condition, string patientId)
    {
        var clinical = FhirValues.FirstCoding(condition.ClinicalStatus)?.Code;
        var verification = FhirValues.FirstCoding(condition.VerificationStatus)?.Code;
        var category = condition.Category?.Select(FhirValues.FirstCoding).FirstOrDefault(c => c is not null)?.Code;
        var onset = FhirValues.Start(condition.Onset);
        var recorded = FhirValues.Instant(condition.RecordedDate);
        var abatement = FhirValues.Start(condition.Abatement);
        var encounterId = FhirValues.ReferencedId(condition.Encounter, "Encounter");
        return (condition.Code?.Coding ?? [])
            .Where(c => !string.IsNullOrEmpty(c.Code) && !string.IsNullOrEmpty(c.System))
            .Select((c, seq) => new ConditionFact(
                condition.Id!, seq, patientId, encounterId, c.System!, c.Code!, c.Display, clinical, verification, category, onset, recorded, abatement))
            .ToList();
    }

    private static IReadOnlyList<ObservationFact> Map(Observation observation, string patientId)
    {
        var effective = FhirValues.Start(observation.Effective) ?? observation.Issued?.ToUniversalTime();
        var encounterId = FhirValues.ReferencedId(observation.Encounter, "Encounter");
        var status = observation.Status?.GetLiteral();
        var facts = new List<ObservationFact>(1 + (observation.Component?.Count ?? 0));

        void Add(int seq, CodeableConcept? code, DataType? value)
        {
            var coding = FhirValues.Coding(code, CodeSystems.Loinc) ?? FhirValues.FirstCoding(code);
            if (coding?.System is null || coding.Code is null)
            {
                return;
            }

            var (number, unit, valueCode) = Read(value);
            double? canonical = null;
            string? canonicalUnit = unit;
            if (number is { } n)
            {
                var converted = coding.System == CodeSystems.Loinc
                    ? UnitConversion.ToCanonical(coding.Code, n, unit)
                    : new CanonicalQuantity(n, unit ?? string.Empty);
                canonical = converted?.Value;
                canonicalUnit = converted?.Unit ?? UnitConversion.CanonicalUnitOf(coding.Code);
            }

            facts.Add(new ObservationFact(
                observation.Id!, seq, patientId, encounterId, coding.System, coding.Code,
                canonical, canonicalUnit, number, unit, valueCode, status, effective));
        }

        Add(0, observation.Code, observation.Value);
        var seq = 1;
        foreach (var component in observation.Component ?? [])
        {
            Add(seq++, component.Code, component.Value);
        }

        return facts;
    }

    private static (double? Number, string? Unit, string? Code) Read(DataType? value) => value switch
    {
        Quantity q when q.Value is { } v => ((double)v, string.IsNullOrEmpty(q.Code) ? q.Unit : q.Code, null),
        Integer i when i.Value is { } v => (v, null, null),
        CodeableConcept concept => (null, null, FhirValues.FirstCoding(concept)?.Code ?? concept.Text),
        FhirBoolean b when b.Value is { } v => (v ? 1 : 0, null, v ? "true" : "false"),
        FhirString s => (null, null, s.Value),
        _ => (null, null, null),
    };

    private static ProcedureFact Map(Procedure procedure, string patientId)
    {
        var coding = FhirValues.FirstCoding(procedure.Code);
        return new ProcedureFact(
            procedure.Id!, patientId, FhirValues.ReferencedId(procedure.Encounter, "Encounter"),
            coding?.System, coding?.Code, coding?.Display ?? procedure.Code?.Text, procedure.Status?.GetLiteral(),
            FhirValues.Start(procedure.Performed), FhirValues.End(procedure.Performed));
    }

    private static MedicationRequestFact Map(MedicationRequest request, string patientId)
    {
        var concept = request.Medication as CodeableConcept;
        var coding = FhirValues.FirstCoding(concept);
        var display = coding?.Display ?? concept?.Text ?? (request.Medication as ResourceReference)?.Display;
        return new MedicationRequestFact(
            request.Id!, patientId, FhirValues.ReferencedId(request.Encounter, "Encounter"),
            coding?.System, coding?.Code, display, request.Status?.GetLiteral(), request.Intent?.GetLiteral(),
            FhirValues.Instant(request.AuthoredOn));
    }

    /// <summary>ICU by the location's name or physical type ("ICU", "MICU", "Intensive care unit", ...).</summary>
    public static bool IsIntensiveCare(string? text) => text is not null && IntensiveCarePattern().IsMatch(text);

    [GeneratedRegex(@"\b[A-Z]?ICU\b|intensive\s+care|critical\s+care", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IntensiveCarePattern();
}
