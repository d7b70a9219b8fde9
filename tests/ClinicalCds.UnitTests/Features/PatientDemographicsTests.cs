using System.Text.Json;
using ClinicalCds.Fhir.Mapping;
using ClinicalCds.TestSupport;

namespace ClinicalCds.UnitTests.Features;

/// <summary>
/// Race and ethnicity are read from the US Core extensions for evaluating models by subgroup
/// (https://hl7.org/fhir/us/core/StructureDefinition-us-core-race.html).
/// </summary>
public sealed class PatientDemographicsTests
{
    [Fact]
    public void Every_Synthea_patient_has_the_race_and_ethnicity_category_of_its_US_Core_extensions()
    {
        var checkedPatients = 0;
        foreach (var file in Directory.GetFiles(Fixtures.SyntheaDirectory, "*.json"))
        {
            using var bundle = JsonDocument.Parse(File.ReadAllBytes(file));
            // Synthea also writes bundles of hospitals and practitioners, without a patient.
            var patients = bundle.RootElement.GetProperty("entry").EnumerateArray()
                .Select(e => e.GetProperty("resource"))
                .Where(r => r.GetProperty("resourceType").GetString() == "Patient")
                .ToList();
            if (patients.Count == 0)
            {
                continue;
            }

            var patient = Assert.Single(patients);
            // Independently of the mapper: the display of the ombCategory coding of each extension.
            string Category(string url) => patient.GetProperty("extension").EnumerateArray()
                .Single(e => e.GetProperty("url").GetString() == url)
                .GetProperty("extension").EnumerateArray()
                .Single(e => e.GetProperty("url").GetString() == "ombCategory")
                .GetProperty("valueCoding").GetProperty("display").GetString()!;

            var fact = FactMapper.Map(patient).Patient!;

            Assert.Equal(Category("http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"), fact.Race);
            Assert.Equal(Category("http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"), fact.Ethnicity);
            checkedPatients++;
        }

        Assert.True(checkedPatients >= 3, $"only {checkedPatients} Synthea patients found");
    }

    [Theory]
    [InlineData("""[{"url":"ombCategory","valueCoding":{"code":"2106-3","display":"White"}},{"url":"ombCategory","valueCoding":{"code":"2028-9","display":"Asian"}}]""", "Multiple")]
    [InlineData("""[{"url":"ombCategory","valueCoding":{"code":"2054-5"}}]""", "2054-5")]
    [InlineData("""[{"url":"text","valueString":"Declined to answer"}]""", "Declined to answer")]
    [InlineData("""[]""", null)]
    public void A_race_extension_reads_as_its_one_category_Multiple_its_code_or_its_text(string parts, string? expected)
    {
        using var patient = JsonDocument.Parse(
            $$"""{"resourceType":"Patient","id":"p","extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race","extension":{{parts}}}]}""");

        var fact = FactMapper.Map(patient.RootElement).Patient!;

        Assert.Equal(expected, fact.Race);
        Assert.Null(fact.Ethnicity);
    }
}
