using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Scores;

namespace ClinicalCds.UnitTests.Explanations;

/// <summary>
/// The words a card uses (issue 23 item 6): a tier said with the range it covers, score components with the patient's
/// value after a colon, counts in the right number, and the same names for a measurement in a model's factors and in
/// the published score beside it.
/// </summary>
public sealed class CardWordingTests
{
    [Theory]
    [InlineData(RiskTier.High, "high tier: 45% and above")]
    [InlineData(RiskTier.Moderate, "moderate tier: 20% to under 45%")]
    [InlineData(RiskTier.Low, "low tier: under 20%")]
    public void A_tier_is_said_with_the_range_of_estimates_it_covers(RiskTier tier, string expected) =>
        Assert.Equal(expected, ScoreExplanations.TierRange(tier, 0.20, 0.45));

    [Fact]
    public void News2_components_use_the_products_names_for_the_measurements()
    {
        var news2 = News2.Score(new News2Input(23, 89, true, 100, 126, Consciousness.Alert, 38.3, UseSpO2Scale2: false));
        Assert.Equal(
            ["Respiratory rate", "Oxygen saturation (SpO2 scale 1)", "Air or oxygen", "Systolic blood pressure", "Heart rate", "Consciousness", "Temperature"],
            news2.Components.Select(c => c.Name));
    }

    [Theory]
    [InlineData(1, "1 day")]
    [InlineData(6, "6 days")]
    public void Hospital_says_the_length_of_stay_in_the_right_number(int days, string expected)
    {
        var hospital = Hospital.Score(new HospitalInput(13, false, 140, false, false, 0, days));
        Assert.Equal(expected, hospital.Components.Single(c => c.Name.StartsWith("Length of stay", StringComparison.Ordinal)).PatientValue);
    }
}
