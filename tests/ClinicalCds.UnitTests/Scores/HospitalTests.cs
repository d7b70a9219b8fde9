using ClinicalCds.Domain.Scores;

namespace ClinicalCds.UnitTests.Scores;

// Donzé et al., JAMA Intern Med 2013;173(8):632-8 (table in ../shared/reference/SCORES.md §2).
public sealed class HospitalTests
{
    private static HospitalInput Baseline => new(13.5, false, 140, false, false, 0, 2);

    [Theory]
    [InlineData(11.9, 1)]
    [InlineData(12.0, 0)]
    [InlineData(null, 0)]
    public void Haemoglobin_below_12_gdl_earns_one_point(double? gdl, int points) =>
        Assert.Equal(points, Hospital.HemoglobinPoints(gdl));

    [Theory]
    [InlineData(134.9, 1)]
    [InlineData(135.0, 0)]
    [InlineData(null, 0)]
    public void Sodium_below_135_earns_one_point(double? mmolL, int points) =>
        Assert.Equal(points, Hospital.SodiumPoints(mmolL));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 2)]
    [InlineData(5, 2)]
    [InlineData(6, 5)]
    public void Prior_admissions_score_0_1_none_2_5_two_more_than_5_five(int admissions, int points) =>
        Assert.Equal(points, Hospital.AdmissionsPoints(admissions));

    [Theory]
    [InlineData(4, 0)]
    [InlineData(5, 2)]
    public void A_stay_of_five_days_or_more_earns_two_points(int days, int points) =>
        Assert.Equal(points, Hospital.LengthOfStayPoints(days));

    [Theory]
    [InlineData(4, "low")]
    [InlineData(5, "intermediate")]
    [InlineData(6, "intermediate")]
    [InlineData(7, "high")]
    public void Risk_categories_are_0_to_4_5_to_6_and_7_or_more(int total, string category) =>
        Assert.Equal(category, Hospital.RiskCategory(total));

    [Fact]
    public void Every_item_present_gives_the_maximum_of_13()
    {
        var result = Hospital.Score(new HospitalInput(9.0, true, 128, true, true, 7, 9));
        Assert.Equal(13, result.Total);
        Assert.Equal([1, 2, 1, 1, 1, 5, 2], result.Components.Select(c => c.Points));
        Assert.Equal("high", result.RiskCategory);
    }

    [Fact]
    public void Oncology_procedure_and_emergent_admission_each_count()
    {
        Assert.Equal(2, Hospital.Score(Baseline with { DischargeFromOncology = true }).Total);
        Assert.Equal(1, Hospital.Score(Baseline with { ProcedureDuringStay = true }).Total);
        Assert.Equal(1, Hospital.Score(Baseline with { EmergentAdmission = true }).Total);
        Assert.Equal(0, Hospital.Score(Baseline).Total);
    }

    [Fact]
    public void Labs_not_measured_earn_nothing_and_are_reported_missing()
    {
        var result = Hospital.Score(Baseline with { DischargeHemoglobinGdl = null, DischargeSodiumMmolL = null });
        Assert.Equal(0, result.Total);
        Assert.Equal(["haemoglobin", "sodium"], result.Missing);
        Assert.Equal("not measured", result.Components[0].PatientValue);
    }
}
