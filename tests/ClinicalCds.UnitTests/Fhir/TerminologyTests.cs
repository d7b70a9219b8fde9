using System.Text;
using System.Text.Json;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Fhir.Mapping;
using ClinicalCds.Fhir.Terminologies;

namespace ClinicalCds.UnitTests.Fhir;

/// <summary>FHIR ConceptMaps read into the one terminology the fact mapper applies.</summary>
public sealed class TerminologyTests
{
    private const string LabItems = "http://example.org/CodeSystem/lab-items";
    private const string LocalIcd10 = "http://example.org/CodeSystem/diagnosis-icd10";
    private const string LocalUnits = "http://example.org/CodeSystem/units";

    private const string Maps = $$$"""
        {"resourceType":"ConceptMap","id":"labs","url":"http://example.org/ConceptMap/labs","version":"2","status":"active","group":[
          {"source":"{{{LabItems}}}","target":"http://loinc.org","element":[
            {"code":"51301","target":[{"code":"6690-2","display":"Leukocytes [#/volume] in Blood by Automated count","equivalence":"equivalent"}]},
            {"code":"50811","target":[{"equivalence":"unmatched","comment":"another method"}]},
            {"code":"50999","target":[{"code":"718-7","equivalence":"narrower","comment":"narrower is not the same"}]}]},
          {"source":"{{{LocalIcd10}}}","target":"http://hl7.org/fhir/sid/icd-10-cm","element":[{"code":"I10","target":[{"code":"I10","equivalence":"equal"}]}],"unmapped":{"mode":"provided"}},
          {"source":"{{{LocalUnits}}}","target":"http://unitsofmeasure.org","element":[{"code":"K/uL","target":[{"code":"10*3/uL","equivalence":"equal"}]}]}]}
        """;

    private static Terminology Load(string json)
    {
        var groups = ConceptMaps.Read(Encoding.UTF8.GetBytes(json), out var errors);
        Assert.Empty(errors);
        return new Terminology(groups);
    }

    [Fact]
    public void Codes_translate_when_the_map_says_the_target_means_the_same_and_an_alias_system_keeps_its_codes()
    {
        var terminology = Load(Maps);
        Assert.Equal((CodeSystems.Loinc, "6690-2", "Leukocytes [#/volume] in Blood by Automated count"), terminology.Translate(LabItems, "51301", CodeSystems.Loinc));
        Assert.Null(terminology.Translate(LabItems, "50811"));
        Assert.Null(terminology.Translate(LabItems, "50999"));
        Assert.Null(terminology.Translate(LabItems, "51301", CodeSystems.Ucum));
        Assert.Equal((CodeSystems.Icd10Cm, "J45909", (string?)null), terminology.Translate(LocalIcd10, "J45909"));
        Assert.Null(terminology.Translate(CodeSystems.Loinc, "718-7"));
        Assert.Equal("http://example.org/ConceptMap/labs|2", terminology.Groups[0].Map);
    }

    [Fact]
    public void The_fact_mapper_reads_a_local_observation_as_LOINC_in_UCUM_and_a_local_diagnosis_as_ICD_10_CM()
    {
        var terminology = Load(Maps);
        using var observation = JsonDocument.Parse($$$"""
            {"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p"},"effectiveDateTime":"2026-03-01T10:00:00Z",
             "code":{"coding":[{"system":"{{{LabItems}}}","code":"51301","display":"White Blood Cells"}]},
             "valueQuantity":{"value":12.5,"unit":"K/uL","system":"{{{LocalUnits}}}","code":"K/uL"}}
            """);
        var mapped = Assert.Single(FactMapper.Map(observation.RootElement, terminology: terminology).Observations!);
        Assert.Equal((CodeSystems.Loinc, "6690-2", 12.5, "10*3/uL"), (mapped.System, mapped.Code, mapped.Value, mapped.Unit));
        var local = Assert.Single(FactMapper.Map(observation.RootElement).Observations!);
        Assert.Equal((LabItems, "51301"), (local.System, local.Code));

        using var condition = JsonDocument.Parse($$$"""
            {"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p"},"code":{"coding":[{"system":"{{{LocalIcd10}}}","code":"J45909","display":"Asthma"}]}}
            """);
        var diagnosis = Assert.Single(FactMapper.Map(condition.RootElement, terminology: terminology).Conditions!);
        Assert.Equal((CodeSystems.Icd10Cm, "J45909", "Asthma"), (diagnosis.System, diagnosis.Code, diagnosis.Display));
    }

    /// <summary>
    /// A mapping that holds only in a context the resource states (ConceptMap target.dependsOn), as the shipped MIMIC map
    /// reads the ED's pulse oximetry (LOINC 2708-6 in MIMIC's ED vital-sign profile) as SpO2, and no other 2708-6.
    /// </summary>
    [Fact]
    public void A_contextual_mapping_applies_only_where_the_resource_states_its_context()
    {
        var terminology = Load(File.ReadAllText(Path.Combine(Repository.Root, "src", "ClinicalCds.Api", "terminology", "mimic-iv-demo", "vital-signs-to-loinc.json")));
        static JsonElement Saturation(string profile) => JsonDocument.Parse($$$"""
            {"resourceType":"Observation","id":"o1","status":"final","meta":{"profile":["{{{profile}}}"]},"subject":{"reference":"Patient/p"},
             "effectiveDateTime":"2180-07-22T19:47:00-04:00","code":{"coding":[{"system":"http://loinc.org","code":"2708-6","display":"Oxygen saturation in Arterial blood"}]},
             "valueQuantity":{"value":98,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}
            """).RootElement;

        var edVital = Assert.Single(FactMapper.Map(Saturation("http://mimic.mit.edu/fhir/mimic/StructureDefinition/mimic-observation-vital-signs"), terminology: terminology).Observations!);
        Assert.Equal((CodeSystems.Loinc, Loinc.OxygenSaturationPulseOximetry, 98.0), (edVital.System, edVital.Code, edVital.Value));
        var arterial = Assert.Single(FactMapper.Map(Saturation("http://example.org/StructureDefinition/blood-gas"), terminology: terminology).Observations!);
        Assert.Equal("2708-6", arterial.Code);
        Assert.Null(terminology.Translate(CodeSystems.Loinc, "2708-6"));
    }

    [Theory]
    [InlineData("""{"coding":[{"system":"http://example.org/services","code":"cardiology","display":"Cardiology"}]}""", "Cardiology")]
    [InlineData("""{"coding":[{"system":"http://mimic.mit.edu/fhir/mimic/CodeSystem/mimic-services","code":"MED"}]}""", "MED")]
    [InlineData("""{"coding":[{"system":"http://mimic.mit.edu/fhir/mimic/CodeSystem/mimic-services","code":"OMED","display":"Oncologic Medical"}]}""", "Medical oncology")]
    [InlineData("""{"text":"General surgery"}""", "General surgery")]
    public void An_encounters_service_is_read_in_words_where_the_data_has_them(string serviceType, string expected)
    {
        // The shipped MIMIC-IV map, which maps OMED to SNOMED CT "Medical oncology".
        var terminology = Load(File.ReadAllText(Path.Combine(Repository.Root, "src", "ClinicalCds.Api", "terminology", "mimic-iv-demo", "encounters-to-hl7.json")));
        using var encounter = JsonDocument.Parse($$"""
            {"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"IMP"},"subject":{"reference":"Patient/p"},
             "period":{"start":"2026-03-01T10:00:00Z","end":"2026-03-04T10:00:00Z"},"serviceType":{{serviceType}}}
            """);
        Assert.Equal(expected, FactMapper.Map(encounter.RootElement, terminology: terminology).Encounter!.ServiceType);
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","id":"p"}""", "a Patient, not a ConceptMap")]
    [InlineData("""{"resourceType":"ConceptMap","id":"m","status":"active","group":[{"source":"http://a","element":[{"code":"x","target":[{"code":"y","equivalence":"equal"}]}]}]}""", "group[0] needs both source and target")]
    [InlineData("""{"resourceType":"ConceptMap","id":"m","status":"active","group":[{"source":"http://a","target":"http://b","element":[{"code":"x","target":[{"code":"y","equivalence":"inexact","comment":"c"}]}]}]}""", "maps nothing usable")]
    [InlineData("""{"resourceType":"ConceptMap","id":"m","status":"active","group":[{"source":"http://a","target":"http://b","element":[{"code":"x","target":[{"code":"y","equivalence":"equal"}]},{"code":"x","target":[{"code":"z","equivalence":"equal"}]}]}]}""", "the code 'x' is mapped twice")]
    public void A_map_that_cannot_be_used_is_refused_with_the_reason(string json, string reason)
    {
        ConceptMaps.Read(Encoding.UTF8.GetBytes(json), out var errors);
        Assert.Contains(errors, e => e.Contains(reason, StringComparison.Ordinal));
    }
}
