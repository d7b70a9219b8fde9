using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Comorbidity;
using ClinicalCds.Domain.Scores;

namespace ClinicalCds.UnitTests.Scores;

public sealed class CharlsonTests
{
    [Theory]
    // Original weights, Charlson et al., J Chronic Dis 1987;40(5):373-83, Table 3.
    [InlineData("mi", 1)]
    [InlineData("chf", 1)]
    [InlineData("pvd", 1)]
    [InlineData("cevd", 1)]
    [InlineData("dementia", 1)]
    [InlineData("cpd", 1)]
    [InlineData("rheumd", 1)]
    [InlineData("pud", 1)]
    [InlineData("mld", 1)]
    [InlineData("diab", 1)]
    [InlineData("hp", 2)]
    [InlineData("rend", 2)]
    [InlineData("diabwc", 2)]
    [InlineData("canc", 2)]
    [InlineData("msld", 3)]
    [InlineData("metacanc", 6)]
    [InlineData("aids", 6)]
    public void Original_weights(string category, int weight) =>
        Assert.Equal(weight, CharlsonIndex.Score([category], CharlsonWeights.Charlson1987).Total);

    [Theory]
    // Updated weights, Quan et al., Am J Epidemiol 2011;173(6):676-82, Table 3.
    [InlineData("mi", 0)]
    [InlineData("chf", 2)]
    [InlineData("pvd", 0)]
    [InlineData("cevd", 0)]
    [InlineData("dementia", 2)]
    [InlineData("cpd", 1)]
    [InlineData("rheumd", 1)]
    [InlineData("pud", 0)]
    [InlineData("mld", 2)]
    [InlineData("diab", 0)]
    [InlineData("hp", 2)]
    [InlineData("rend", 1)]
    [InlineData("diabwc", 1)]
    [InlineData("canc", 2)]
    [InlineData("msld", 4)]
    [InlineData("metacanc", 6)]
    [InlineData("aids", 4)]
    public void Quan_2011_weights(string category, int weight) =>
        Assert.Equal(weight, CharlsonIndex.Score([category], CharlsonWeights.Quan2011).Total);

    [Fact]
    public void The_updated_index_ranges_from_0_to_24()
    {
        var all = CodeList.Charlson.Categories.Select(c => c.Key).ToList();
        Assert.Equal(17, all.Count);
        Assert.Equal(24, CharlsonIndex.Score(all, CharlsonWeights.Quan2011).Total);
        Assert.Equal(0, CharlsonIndex.Score([], CharlsonWeights.Quan2011).Total);
    }

    [Theory]
    [InlineData("mld", "msld", 3)]
    [InlineData("diab", "diabwc", 2)]
    [InlineData("canc", "metacanc", 6)]
    public void Only_the_severe_form_counts(string mild, string severe, int total)
    {
        var result = CharlsonIndex.Score([mild, severe], CharlsonWeights.Charlson1987);
        Assert.Equal(total, result.Total);
        Assert.Single(result.Components);
    }

    [Theory]
    [InlineData(CodeSystems.Icd10Cm, "N18.30", "rend")]
    [InlineData(CodeSystems.Icd10Cm, "n1830", "rend")]
    [InlineData(CodeSystems.Icd10Cm, "E11.22", "diabwc")]
    [InlineData(CodeSystems.Icd10Cm, "E11.9", "diab")]
    [InlineData(CodeSystems.Icd10Cm, "I25.2", "mi")]
    [InlineData(CodeSystems.Icd10, "I21.4", "mi")]
    [InlineData(CodeSystems.Icd10Cm, "C78.00", "metacanc")]
    [InlineData(CodeSystems.Icd10Cm, "K70.30", "mld")]
    [InlineData(CodeSystems.Icd10Cm, "I85.00", "msld")]
    [InlineData(CodeSystems.Icd10Cm, "B20", "aids")]
    [InlineData(CodeSystems.SnomedCt, "88805009", "chf")]
    [InlineData(CodeSystems.SnomedCt, "368581000119106", "diabwc")]
    public void ICD_10_with_or_without_dots_and_SNOMED_CT_find_their_category(string system, string code, string category) =>
        Assert.Equal([category], CodeList.Charlson.CategoriesOf(system, code).Select(c => c.Key));

    [Theory]
    [InlineData(CodeSystems.Icd10Cm, "I25.10")] // coronary disease without infarction
    [InlineData(CodeSystems.Icd10Cm, "I10")]
    [InlineData(CodeSystems.SnomedCt, "38341003")] // hypertension
    [InlineData(CodeSystems.Loinc, "I21.4")] // right code, wrong system
    public void Codes_outside_the_lists_have_no_category(string system, string code) =>
        Assert.Empty(CodeList.Charlson.CategoriesOf(system, code));

    [Fact]
    public void The_prefix_lookup_agrees_with_the_starts_with_definition_for_every_listed_prefix()
    {
        foreach (var list in new[] { CodeList.Charlson, CodeList.Elixhauser })
        {
            var codes = list.Categories.SelectMany(c => c.Icd10Prefixes).SelectMany(p => new[] { p, p + "9", p + "01", p[..^1] });
            foreach (var code in codes)
            {
                var expected = list.Categories.Where(c => c.Matches(code)).Select(c => c.Key).Order();
                Assert.Equal(expected, list.CategoriesOf(CodeSystems.Icd10Cm, code).Select(c => c.Key).Order());
            }
        }
    }

    [Fact]
    public void Elixhauser_uses_the_van_Walraven_weights_and_its_own_hierarchy()
    {
        Assert.Equal(7 + 5, ElixhauserIndex.Score(["chf", "carit"]).Total);
        Assert.Equal(12, ElixhauserIndex.Score(["solidtum", "metacanc"]).Total);
        Assert.Equal(-7, ElixhauserIndex.Score(["drug"]).Total);
        Assert.Equal(["carit"], CodeList.Elixhauser.CategoriesOf(CodeSystems.Icd10Cm, "I48.91").Select(c => c.Key));
    }
}
