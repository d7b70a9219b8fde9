using ClinicalCds.Domain.Scores;

namespace ClinicalCds.UnitTests.Scores;

// van Walraven et al., CMAJ 2010;182(6):551-7, and the LACE table in ../shared/reference/SCORES.md §1.
public sealed class LaceTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 4)]
    [InlineData(6, 4)]
    [InlineData(7, 5)]
    [InlineData(13, 5)]
    [InlineData(14, 7)]
    [InlineData(45, 7)]
    public void Length_of_stay_points_follow_the_published_bands(int days, int points) =>
        Assert.Equal(points, Lace.LengthOfStayPoints(days));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 5)]
    [InlineData(12, 5)]
    public void Comorbidity_points_jump_to_five_at_a_Charlson_sum_of_four(int sum, int points) =>
        Assert.Equal(points, Lace.ComorbidityPoints(sum));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 4)]
    [InlineData(9, 4)]
    public void Emergency_visit_points_cap_at_four(int visits, int points) =>
        Assert.Equal(points, Lace.EmergencyVisitPoints(visits));

    [Theory]
    // LACE tool weights (secondary sources agree): MI, CVD, PVD, diabetes 1; CHF, complicated diabetes, COPD, mild liver,
    // any tumour 2; dementia, connective tissue 3; moderate/severe liver, AIDS 4; metastatic 6; renal 2 (ADR 0002).
    [InlineData(new[] { "mi" }, 1)]
    [InlineData(new[] { "cevd", "pvd", "diab" }, 3)]
    [InlineData(new[] { "chf" }, 2)]
    [InlineData(new[] { "cpd", "mld" }, 4)]
    [InlineData(new[] { "dementia" }, 3)]
    [InlineData(new[] { "rheumd" }, 3)]
    [InlineData(new[] { "msld" }, 4)]
    [InlineData(new[] { "aids" }, 4)]
    [InlineData(new[] { "metacanc" }, 6)]
    [InlineData(new[] { "rend" }, 2)]
    [InlineData(new[] { "hp", "pud" }, 0)]
    // Only the severe form counts: complicated diabetes replaces diabetes, metastatic replaces any tumour.
    [InlineData(new[] { "diab", "diabwc" }, 2)]
    [InlineData(new[] { "canc", "metacanc" }, 6)]
    [InlineData(new[] { "mld", "msld" }, 4)]
    public void Comorbidity_sum_uses_the_LACE_weights(string[] categories, int sum) =>
        Assert.Equal(sum, Lace.ComorbiditySum(categories));

    [Theory]
    [InlineData(4, "low")]
    [InlineData(5, "moderate")]
    [InlineData(9, "moderate")]
    [InlineData(10, "high")]
    public void Risk_bands_are_0_to_4_5_to_9_and_10_or_more(int total, string band) =>
        Assert.Equal(band, Lace.RiskCategory(total));

    [Fact]
    public void The_maximum_score_is_19()
    {
        var result = Lace.Score(new LaceInput(20, true, ["metacanc"], 6));
        Assert.Equal(19, result.Total);
        Assert.Equal("high", result.RiskCategory);
    }

    [Fact]
    public void A_breakdown_shows_each_component_with_the_patients_value_and_points()
    {
        // Five days, emergent, heart failure and COPD (sum 4), one ED visit: 4 + 3 + 5 + 1 = 13.
        var result = Lace.Score(new LaceInput(5, true, ["chf", "cpd"], 1));

        Assert.Equal(13, result.Total);
        Assert.Equal([4, 3, 5, 1], result.Components.Select(c => c.Points));
        Assert.Equal("5 days", result.Components[0].PatientValue);
        Assert.Contains("Congestive heart failure (+2)", result.Components[2].PatientValue);
        Assert.Contains("Chronic pulmonary disease (+2)", result.Components[2].PatientValue);
    }
}
