using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Units;
using static ClinicalCds.Fhir.Mapping.FhirValues;

namespace ClinicalCds.Fhir.Mapping;

/// <summary>
/// FHIR R4 resources (JSON, as received) → clinical facts. The store projects exactly these facts and the feature
/// builder reads them, whether the resources came from a CDS Hooks prefetch, a fhirServer or an import. Reading the
/// JSON itself (not a parsed object model) lets a hook use the prefetch it was sent without parsing it twice.
/// </summary>
public static partial class FactMapper
{
    /// <summary>
    /// The facts of one resource; a resource without a logical id (a problem) or without a patient has none. Values this mapping reads that
    /// are not what FHIR allows (a date that is no date, a number that is text) are added to <paramref name="problems"/>
    /// as "Type/id: reason" and read as absent. Local codes are translated by <paramref name="terminology"/> (the
    /// hospital's ConceptMaps): an observation's code and unit to LOINC and UCUM, a condition's code system to the one it
    /// is an alias of.
    /// </summary>
    public static ProjectedFacts Map(JsonElement resource, ICollection<string>? problems = null, Terminology? terminology = null)
    {
        terminology ??= Terminology.None;
        var type = String(resource, "resourceType");
        var id = String(resource, "id");
        if (string.IsNullOrEmpty(id))
        {
            problems?.Add($"a {type} has no id.");
            return ProjectedFacts.None;
        }

        var found = problems is null ? null : new List<string>();
        var facts = type switch
        {
            "Patient" => new ProjectedFacts(Patient: Patient(resource, id, found)),
            "Encounter" when PatientOf(resource) is { } p => new ProjectedFacts(Encounter: Encounter(resource, id, p, found, terminology)),
            "Condition" when PatientOf(resource) is { } p => new ProjectedFacts(Conditions: Conditions(resource, id, p, found, terminology)),
            "Observation" when PatientOf(resource) is { } p => new ProjectedFacts(Observations: Observations(resource, id, p, found, terminology)),
            "Procedure" when PatientOf(resource) is { } p => new ProjectedFacts(Procedure: Procedure(resource, id, p, found, terminology)),
            "MedicationRequest" when PatientOf(resource) is { } p => new ProjectedFacts(MedicationRequest: MedicationRequest(resource, id, p, found)),
            "Location" => new ProjectedFacts(Location: Location(resource, id)),
            _ => ProjectedFacts.None,
        };
        foreach (var problem in found ?? [])
        {
            problems!.Add($"{type}/{id}: {problem}");
        }

        return facts;
    }

    private static string? PatientOf(JsonElement resource) => ReferencedId(Property(resource, "subject"), "Patient");

    private static PatientFact Patient(JsonElement patient, string id, List<string>? problems)
    {
        var deceasedAt = Instant(patient, "deceasedDateTime", problems);
        var deceased = Property(patient, "deceasedDateTime").ValueKind == JsonValueKind.String
            || Property(patient, "deceasedBoolean").ValueKind == JsonValueKind.True;
        var birthDate = Instant(patient, "birthDate", problems) is { } birth ? DateOnly.FromDateTime(birth.UtcDateTime) : (DateOnly?)null;
        return new PatientFact(id, birthDate, String(patient, "gender", problems), deceased, deceasedAt, NameOf(patient), MrnOf(patient),
            OmbCategoryOf(patient, UsCoreRace), OmbCategoryOf(patient, UsCoreEthnicity));
    }

    private const string UsCoreRace = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
    private const string UsCoreEthnicity = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";

    /// <summary>
    /// The US Core race or ethnicity extension (https://hl7.org/fhir/us/core/StructureDefinition-us-core-race.html):
    /// its one OMB category (display, else code), "Multiple" when it has several, else its text.
    /// </summary>
    private static string? OmbCategoryOf(JsonElement patient, string url)
    {
        var extension = Items(patient, "extension").FirstOrDefault(e => String(e, "url") == url);
        if (extension.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var parts = Items(extension, "extension").ToList();
        var categories = parts.Where(p => String(p, "url") == "ombCategory")
            .Select(p => Property(p, "valueCoding"))
            .Select(c => String(c, "display") ?? String(c, "code"))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return categories.Count switch
        {
            1 => categories[0],
            > 1 => "Multiple",
            _ => parts.Where(p => String(p, "url") == "text").Select(p => String(p, "valueString")).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)),
        };
    }

    /// <summary>The official name (else the first), "Given Family".</summary>
    private static string? NameOf(JsonElement patient)
    {
        var names = Items(patient, "name").ToList();
        var name = names.FirstOrDefault(n => String(n, "use") == "official");
        name = name.ValueKind == JsonValueKind.Object ? name : names.FirstOrDefault();
        if (name.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var given = Property(name, "given") is { ValueKind: JsonValueKind.Array } parts
            ? parts.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString())
            : [];
        var text = String(name, "text") ?? string.Join(' ', given.Append(String(name, "family")).Where(p => !string.IsNullOrWhiteSpace(p)));
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    /// <summary>The medical record number: the identifier typed MR (HL7 v2 table 0203).</summary>
    private static string? MrnOf(JsonElement patient) => Items(patient, "identifier")
        .Where(i => Codings(Property(i, "type")).Any(c => c is { System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "MR" }))
        .Select(i => String(i, "value"))
        .FirstOrDefault();

    private static EncounterFact Encounter(JsonElement encounter, string id, string patientId, List<string>? problems, Terminology terminology)
    {
        var type = Items(encounter, "type").Select(FirstCoding).FirstOrDefault(c => c is not null);
        var locations = Items(encounter, "location")
            .Select(l =>
            {
                var location = Property(l, "location");
                var physicalType = Property(l, "physicalType");
                var period = Property(l, "period");
                var display = String(location, "display");
                return new EncounterLocationFact(
                    ReferencedId(location, "Location"),
                    display,
                    IsIntensiveCare(display) || IsIntensiveCare(String(physicalType, "text")) || IsIntensiveCare(FirstCoding(physicalType)?.Display),
                    Instant(period, "start", problems),
                    Instant(period, "end", problems));
            })
            .ToList();
        var period = Property(encounter, "period");
        var hospitalization = Property(encounter, "hospitalization");
        var serviceType = Property(encounter, "serviceType");
        var classCode = String(Property(encounter, "class"), "code");
        // The service in words, as pages show it: a code the terminology maps (e.g. MIMIC's OMED to SNOMED CT "Medical
        // oncology") as its mapped display, else the coding's own display, else its code or the text.
        // Encounter rules (Encounters:Rules ServiceTypes) match the code, or its mapped display, never the coding's own display.
        var serviceCoding = FirstCoding(serviceType);
        var mappedService = terminology.Translate(serviceCoding?.System, serviceCoding?.Code)?.Display;
        var serviceKey = mappedService ?? serviceCoding?.Code ?? String(serviceType, "text");
        var service = mappedService ?? serviceCoding?.Display ?? serviceKey;
        var partOf = ReferencedId(Property(encounter, "partOf"), "Encounter");
        var identifierSystems = Items(encounter, "identifier").Select(i => String(i, "system")).OfType<string>().ToList();
        return new EncounterFact(
            id,
            patientId,
            String(encounter, "status", problems),
            classCode,
            type?.System,
            type?.Code,
            type?.Display,
            Instant(period, "start", problems),
            Instant(period, "end", problems),
            FirstCoding(Property(encounter, "priority"))?.Code,
            CodeIn(Property(hospitalization, "admitSource"), CodeSystems.AdmitSource, terminology),
            CodeIn(Property(hospitalization, "dischargeDisposition"), CodeSystems.DischargeDisposition, terminology),
            service,
            locations)
        {
            Kind = terminology.Encounters.KindOf(classCode, identifierSystems, serviceKey, partOf is not null),
            PartOf = partOf,
        };
    }

    /// <summary>A concept's code in <paramref name="system"/>: its coding there, else the first coding the terminology translates there, else its first code.</summary>
    private static string? CodeIn(JsonElement concept, string system, Terminology terminology) =>
        Coding(concept, system)?.Code
        ?? Codings(concept).Select(c => terminology.Translate(c.System, c.Code, system)?.Code).FirstOrDefault(c => c is not null)
        ?? FirstCoding(concept)?.Code;

    private static IReadOnlyList<ConditionFact> Conditions(JsonElement condition, string id, string patientId, List<string>? problems, Terminology terminology)
    {
        var clinical = FirstCoding(Property(condition, "clinicalStatus"))?.Code;
        var verification = FirstCoding(Property(condition, "verificationStatus"))?.Code;
        var category = Items(condition, "category").Select(FirstCoding).FirstOrDefault(c => c is not null)?.Code;
        var onset = Start(condition, "onset", problems);
        var recorded = Instant(condition, "recordedDate", problems);
        var abatement = Start(condition, "abatement", problems);
        var encounterId = ReferencedId(Property(condition, "encounter"), "Encounter");
        return Codings(Property(condition, "code"))
            .Where(c => !string.IsNullOrEmpty(c.System))
            .Select(c => terminology.Translate(c.System, c.Code) is { } mapped ? new CodingValue(mapped.System, mapped.Code, mapped.Display ?? c.Display) : c)
            .Select((c, seq) => new ConditionFact(
                id, seq, patientId, encounterId, c.System!, c.Code, c.Display, clinical, verification, category, onset, recorded, abatement))
            .ToList();
    }

    private static IReadOnlyList<ObservationFact> Observations(JsonElement observation, string id, string patientId, List<string>? problems, Terminology terminology)
    {
        var effective = Start(observation, "effective", problems) ?? Instant(observation, "issued", problems);
        var encounterId = ReferencedId(Property(observation, "encounter"), "Encounter");
        var status = String(observation, "status", problems);
        var facts = new List<ObservationFact>();
        var holds = terminology.HasContextualMappings ? Holds(observation) : null;

        void Add(int seq, JsonElement element)
        {
            var code = Property(element, "code");
            var coding = (holds is null ? null : InContext(code, terminology, holds))
                ?? Coding(code, CodeSystems.Loinc) ?? Translated(code, terminology) ?? FirstCoding(code);
            if (coding is not { System: { } system, Code: var loinc })
            {
                return;
            }

            var (number, unit, valueCode) = Value(element, problems, terminology);
            double? canonical = null;
            var canonicalUnit = unit;
            if (number is { } n)
            {
                var converted = system == CodeSystems.Loinc
                    ? UnitConversion.ToCanonical(loinc, n, unit)
                    : new CanonicalQuantity(n, unit ?? string.Empty);
                canonical = converted?.Value;
                canonicalUnit = converted?.Unit ?? UnitConversion.CanonicalUnitOf(loinc);
            }

            facts.Add(new ObservationFact(
                id, seq, patientId, encounterId, system, loinc, canonical, canonicalUnit, number, unit, valueCode, status, effective));
        }

        Add(0, observation);
        var seq = 1;
        foreach (var component in Items(observation, "component"))
        {
            Add(seq++, component);
        }

        return facts;
    }

    /// <summary>The first of a concept's codings a contextual mapping translates to LOINC in this resource's context.</summary>
    private static CodingValue? InContext(JsonElement concept, Terminology terminology, Func<string, string, bool> holds) =>
        Codings(concept)
            .Select(c => terminology.TranslateInContext(c.System, c.Code, CodeSystems.Loinc, holds))
            .Where(t => t is not null)
            .Select(t => (CodingValue?)new CodingValue(t!.Value.System, t.Value.Code, t.Value.Display))
            .FirstOrDefault();

    /// <summary>
    /// The context a contextual mapping may depend on, read from the observation itself: <c>Observation.meta.profile</c>
    /// (a profile it claims) and <c>Observation.category</c> (a category code). Other properties never hold.
    /// </summary>
    private static Func<string, string, bool> Holds(JsonElement observation) => (property, value) => property switch
    {
        "Observation.meta.profile" => Property(Property(observation, "meta"), "profile") is { ValueKind: JsonValueKind.Array } profiles
            && profiles.EnumerateArray().Any(p => p.ValueKind == JsonValueKind.String && p.GetString() == value),
        "Observation.category" => Items(observation, "category").SelectMany(c => Codings(c)).Any(c => c.Code == value),
        _ => false,
    };

    /// <summary>The first of a concept's codings the terminology translates to LOINC, as that LOINC coding.</summary>
    private static CodingValue? Translated(JsonElement concept, Terminology terminology) => terminology.IsEmpty
        ? null
        : Codings(concept)
            .Select(c => terminology.Translate(c.System, c.Code, CodeSystems.Loinc))
            .Where(t => t is not null)
            .Select(t => (CodingValue?)new CodingValue(t!.Value.System, t.Value.Code, t.Value.Display))
            .FirstOrDefault();

    /// <summary>
    /// value[x] as a number with its unit (Quantity, integer, boolean) or a code (CodeableConcept, boolean, string). A
    /// quantity's unit code in a local unit system is translated to UCUM where the terminology maps it.
    /// </summary>
    private static (double? Number, string? Unit, string? Code) Value(JsonElement element, List<string>? problems, Terminology terminology)
    {
        if (Property(element, "valueQuantity") is { ValueKind: JsonValueKind.Object } quantity)
        {
            var unit = String(quantity, "code") is { Length: > 0 } code ? code : String(quantity, "unit");
            if (terminology.Translate(String(quantity, "system"), unit, CodeSystems.Ucum) is { } ucum)
            {
                unit = ucum.Code;
            }

            return Number(quantity, "value", problems) is { } value ? (value, unit, null) : (null, null, null);
        }

        if (Number(element, "valueInteger", problems) is { } integer)
        {
            return (integer, null, null);
        }

        if (Property(element, "valueCodeableConcept") is { ValueKind: JsonValueKind.Object } concept)
        {
            return (null, null, FirstCoding(concept)?.Code ?? String(concept, "text"));
        }

        return Property(element, "valueBoolean").ValueKind switch
        {
            JsonValueKind.True => (1, null, "true"),
            JsonValueKind.False => (0, null, "false"),
            _ => (null, null, String(element, "valueString", problems)),
        };
    }

    /// <summary>
    /// A procedure by its code in a procedure classification (ICD-9-CM, ICD-10-PCS, CPT, HCPCS, SNOMED CT), else the first
    /// coding the terminology translates into one (MIMIC-IV's own ICD URIs), else its first coding — what HOSPITAL's
    /// "procedure during the stay" reads (<see cref="HospitalProcedures"/>).
    /// </summary>
    private static ProcedureFact Procedure(JsonElement procedure, string id, string patientId, List<string>? problems, Terminology terminology)
    {
        var code = Property(procedure, "code");
        var codings = Codings(code).Cast<CodingValue?>().ToList();
        var coding = codings.FirstOrDefault(c => c!.Value.System is { } system && HospitalProcedures.Classifications.Contains(system))
            ?? codings.Select(c => terminology.Translate(c!.Value.System, c.Value.Code) is { } mapped
                    ? new CodingValue(mapped.System, mapped.Code, mapped.Display ?? c.Value.Display) : (CodingValue?)null)
                .FirstOrDefault(c => c is not null)
            ?? codings.FirstOrDefault();
        return new ProcedureFact(
            id, patientId, ReferencedId(Property(procedure, "encounter"), "Encounter"),
            coding?.System, coding?.Code, coding?.Display ?? String(code, "text"), String(procedure, "status", problems),
            Start(procedure, "performed", problems), End(procedure, "performed", problems));
    }

    private static MedicationRequestFact MedicationRequest(JsonElement request, string id, string patientId, List<string>? problems)
    {
        var concept = Property(request, "medicationCodeableConcept");
        var coding = FirstCoding(concept);
        var display = coding?.Display ?? String(concept, "text") ?? String(Property(request, "medicationReference"), "display");
        return new MedicationRequestFact(
            id, patientId, ReferencedId(Property(request, "encounter"), "Encounter"),
            coding?.System, coding?.Code, display, String(request, "status", problems), String(request, "intent", problems),
            Instant(request, "authoredOn", problems));
    }

    /// <summary>
    /// A Location is an intensive care unit when its name or alias says so ("Medical Intensive Care Unit (MICU)"), or its
    /// type does — an HL7 v3 RoleCode intensive care unit, or a type display or text saying intensive or critical care — or
    /// its physical type's display or text does.
    /// </summary>
    private static LocationFact Location(JsonElement location, string id)
    {
        var name = String(location, "name");
        var texts = new List<string?> { name, String(Property(location, "physicalType"), "text"), FirstCoding(Property(location, "physicalType"))?.Display };
        texts.AddRange(Items(location, "alias").Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()));
        var types = Items(location, "type").ToList();
        texts.AddRange(types.Select(t => String(t, "text")));
        var codings = types.SelectMany(t => Codings(t)).ToList();
        texts.AddRange(codings.Select(c => c.Display));
        var icuCode = codings.Any(c => c.System == "http://terminology.hl7.org/CodeSystem/v3-RoleCode" && c.Code is not null && IntensiveCareRoleCodes.Contains(c.Code));
        return new LocationFact(id, name, icuCode || texts.Any(IsIntensiveCare));
    }

    /// <summary>
    /// HL7 v3 RoleCode (ServiceDeliveryLocationRoleType, terminology.hl7.org) intensive care units: ICU (intensive care
    /// unit), CCU (coronary care unit), PEDICU (pediatric intensive care unit), PEDNICU (pediatric neonatal intensive care
    /// unit), NCCU (neurology critical care and stroke unit), BICU (burn intensive care unit).
    /// </summary>
    private static readonly HashSet<string> IntensiveCareRoleCodes = new(StringComparer.Ordinal) { "ICU", "CCU", "PEDICU", "PEDNICU", "NCCU", "BICU" };

    /// <summary>
    /// ICU by the location's name or physical type ("ICU", "MICU", "Intensive care unit", ...), a coronary care unit
    /// included ("Coronary Care Unit (CCU)": an ICU in MIMIC-IV's icustays, and v3 RoleCode CCU).
    /// </summary>
    public static bool IsIntensiveCare(string? text) => text is not null && IntensiveCarePattern().IsMatch(text);

    [GeneratedRegex(@"\b[A-Z]?ICU\b|\bCCU\b|intensive\s+care|critical\s+care|coronary\s+care", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IntensiveCarePattern();
}
