using System.Text.Json;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Comorbidity;
using ClinicalCds.Synthetic;

namespace ClinicalCds.UnitTests.Scores;

public sealed class SnomedCharlsonMapTests
{
    // A clinician's reading of every SNOMED CT condition in the Synthea sample that belongs to a Charlson category
    // (by the ICD-10 code the concept corresponds to under Quan 2005). Every other code of the sample has none.
    private static readonly Dictionary<string, string> ExpectedForSyntheaSample = new()
    {
        ["88805009"] = "chf", // Chronic congestive heart failure, I50
        ["230690007"] = "cevd", // Stroke, I63/I64
        ["26929004"] = "dementia", // Alzheimer's disease, G30
        ["109838007"] = "canc", // Overlapping malignant neoplasm of colon, C18.8
        ["254637007"] = "canc", // Non-small cell lung cancer, C34
        ["424132000"] = "canc", // Non-small cell carcinoma of lung TNM stage 1, C34
        ["22298006"] = "mi", // Myocardial infarction, I21
        ["399211009"] = "mi", // History of myocardial infarction, I25.2
        ["44054006"] = "diab", // Diabetes (type 2), E11.9
        ["368581000119106"] = "diabwc", // Neuropathy due to type 2 diabetes, E11.4
        ["698754002"] = "hp", // Chronic paralysis due to lesion of spinal cord, G82
    };

    [Fact]
    public void Every_SNOMED_condition_of_the_Synthea_sample_maps_as_a_clinician_reads_it()
    {
        var codes = Fixtures.SyntheaBundles
            .SelectMany(file => JsonDocument.Parse(File.ReadAllBytes(file)).RootElement.GetProperty("entry").EnumerateArray())
            .Select(entry => entry.GetProperty("resource"))
            .Where(resource => resource.GetProperty("resourceType").GetString() == "Condition")
            .SelectMany(resource => resource.GetProperty("code").GetProperty("coding").EnumerateArray())
            .Where(coding => coding.GetProperty("system").GetString() == CodeSystems.SnomedCt)
            .Select(coding => coding.GetProperty("code").GetString()!)
            .ToHashSet();

        Assert.True(codes.Count > 50, $"expected the sample's SNOMED conditions, found {codes.Count}");
        Assert.Subset(codes, ExpectedForSyntheaSample.Keys.ToHashSet());
        foreach (var code in codes)
        {
            var mapped = CodeList.Charlson.CategoriesOf(CodeSystems.SnomedCt, code).Select(c => c.Key).SingleOrDefault();
            Assert.True(ExpectedForSyntheaSample.GetValueOrDefault(code) == mapped, $"SNOMED {code}: expected {ExpectedForSyntheaSample.GetValueOrDefault(code) ?? "none"}, mapped {mapped ?? "none"}");
        }
    }

    [Fact]
    public void The_synthetic_populations_chronic_diagnoses_fall_in_the_same_category_by_ICD_10_and_by_SNOMED()
    {
        foreach (var (diagnosis, _, _, _, _) in Catalog.Chronic.Where(c => c.Diagnosis.CharlsonWeight > 0))
        {
            Assert.Equal([diagnosis.Key], CodeList.Charlson.CategoriesOf(CodeSystems.Icd10Cm, diagnosis.Icd10Cm).Select(c => c.Key));
            Assert.Equal([diagnosis.Key], CodeList.Charlson.CategoriesOf(CodeSystems.SnomedCt, diagnosis.Snomed).Select(c => c.Key));
        }
    }

    [Theory]
    // Issue 30: an unstaged SNOMED CT chronic kidney disease counts as ICD-10-CM N18.9 does (Quan 2005 renal disease);
    // stages 1 and 2 count in neither coding (charlson_exclusions.csv).
    [InlineData("709044004", "N189", "rend")]
    [InlineData("433144002", "N183", "rend")]
    [InlineData("431855005", "N181", null)]
    [InlineData("431856006", "N182", null)]
    public void Chronic_kidney_disease_counts_alike_in_SNOMED_and_ICD_10(string snomed, string icd10, string? category)
    {
        Assert.Equal(category, CodeList.Charlson.CategoriesOf(CodeSystems.SnomedCt, snomed).Select(c => c.Key).SingleOrDefault());
        Assert.Equal(category, CodeList.Charlson.CategoriesOf(CodeSystems.Icd10Cm, icd10).Select(c => c.Key).SingleOrDefault());
    }
}
