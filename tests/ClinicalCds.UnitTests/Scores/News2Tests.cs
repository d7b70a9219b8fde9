using ClinicalCds.Domain.Scores;

namespace ClinicalCds.UnitTests.Scores;

// Royal College of Physicians, NEWS2 (2017), Chart 1: every band edge (../shared/reference/SCORES.md §4).
public sealed class News2Tests
{
    [Theory]
    [InlineData(8, 3)]
    [InlineData(9, 1)]
    [InlineData(11, 1)]
    [InlineData(12, 0)]
    [InlineData(20, 0)]
    [InlineData(21, 2)]
    [InlineData(24, 2)]
    [InlineData(25, 3)]
    public void Respiration_rate(double perMin, int points) => Assert.Equal(points, News2.RespiratoryRatePoints(perMin));

    [Theory]
    [InlineData(91, 3)]
    [InlineData(92, 2)]
    [InlineData(93, 2)]
    [InlineData(94, 1)]
    [InlineData(95, 1)]
    [InlineData(96, 0)]
    [InlineData(100, 0)]
    public void SpO2_scale_1(double percent, int points) => Assert.Equal(points, News2.SpO2Scale1Points(percent));

    [Theory]
    [InlineData(83, false, 3)]
    [InlineData(84, false, 2)]
    [InlineData(85, false, 2)]
    [InlineData(86, false, 1)]
    [InlineData(87, false, 1)]
    [InlineData(88, false, 0)]
    [InlineData(92, true, 0)]
    [InlineData(93, false, 0)]
    [InlineData(100, false, 0)]
    [InlineData(93, true, 1)]
    [InlineData(94, true, 1)]
    [InlineData(95, true, 2)]
    [InlineData(96, true, 2)]
    [InlineData(97, true, 3)]
    public void SpO2_scale_2_scores_high_saturations_only_on_oxygen(double percent, bool onOxygen, int points) =>
        Assert.Equal(points, News2.SpO2Scale2Points(percent, onOxygen));

    [Theory]
    [InlineData(90, 3)]
    [InlineData(91, 2)]
    [InlineData(100, 2)]
    [InlineData(101, 1)]
    [InlineData(110, 1)]
    [InlineData(111, 0)]
    [InlineData(219, 0)]
    [InlineData(220, 3)]
    public void Systolic_blood_pressure(double mmHg, int points) => Assert.Equal(points, News2.SystolicPoints(mmHg));

    [Theory]
    [InlineData(40, 3)]
    [InlineData(41, 1)]
    [InlineData(50, 1)]
    [InlineData(51, 0)]
    [InlineData(90, 0)]
    [InlineData(91, 1)]
    [InlineData(110, 1)]
    [InlineData(111, 2)]
    [InlineData(130, 2)]
    [InlineData(131, 3)]
    public void Pulse(double perMin, int points) => Assert.Equal(points, News2.PulsePoints(perMin));

    [Theory]
    [InlineData(35.0, 3)]
    [InlineData(35.1, 1)]
    [InlineData(36.0, 1)]
    [InlineData(36.1, 0)]
    [InlineData(38.0, 0)]
    [InlineData(38.1, 1)]
    [InlineData(39.0, 1)]
    [InlineData(39.1, 2)]
    public void Temperature(double celsius, int points) => Assert.Equal(points, News2.TemperaturePoints(celsius));

    [Theory]
    [InlineData(Consciousness.Alert, 0)]
    [InlineData(Consciousness.NewConfusion, 3)]
    [InlineData(Consciousness.Voice, 3)]
    [InlineData(Consciousness.Pain, 3)]
    [InlineData(Consciousness.Unresponsive, 3)]
    public void Any_level_but_alert_scores_three(Consciousness level, int points) => Assert.Equal(points, News2.ConsciousnessPoints(level));

    [Fact]
    public void Values_are_read_at_the_charts_precision()
    {
        Assert.Equal(0, News2.RespiratoryRatePoints(11.6)); // charted as 12
        Assert.Equal(1, News2.TemperaturePoints(36.04)); // charted as 36.0
    }

    private static readonly News2Input Normal = new(16, 97, false, 120, 72, Consciousness.Alert, 37.0, UseSpO2Scale2: false);

    [Fact]
    public void A_normal_set_scores_zero_and_low()
    {
        var result = News2.Score(Normal);
        Assert.Equal(0, result.Total);
        Assert.Equal("low", result.RiskCategory);
        Assert.True(result.IsComplete);
    }

    [Fact]
    public void A_single_red_parameter_is_low_medium_risk()
    {
        var result = News2.Score(Normal with { RespiratoryRatePerMin = 26 });
        Assert.Equal(3, result.Total);
        Assert.Equal("low-medium", result.RiskCategory);
    }

    [Fact]
    public void Aggregate_5_to_6_is_medium_and_7_or_more_is_high()
    {
        // Oxygen (2) + SpO2 93 on scale 1 (2) + pulse 95 (1) = 5.
        Assert.Equal(("medium", 5), Summary(News2.Score(Normal with { OnSupplementalOxygen = true, SpO2Percent = 93, PulsePerMin = 95 })));
        // ... + temperature 39.5 (2) = 7.
        Assert.Equal(("high", 7), Summary(News2.Score(Normal with { OnSupplementalOxygen = true, SpO2Percent = 93, PulsePerMin = 95, TemperatureCelsius = 39.5 })));
    }

    [Fact]
    public void Scale_2_patients_on_oxygen_score_high_saturations()
    {
        var result = News2.Score(Normal with { UseSpO2Scale2 = true, OnSupplementalOxygen = true, SpO2Percent = 97 });
        Assert.Equal(2 + 3, result.Total);
        Assert.Equal("Oxygen saturation (SpO2 scale 2)", result.Components[1].Name);
    }

    [Fact]
    public void Parameters_not_recorded_are_named_and_earn_nothing()
    {
        var result = News2.Score(Normal with { RespiratoryRatePerMin = null, Consciousness = null });
        Assert.False(result.IsComplete);
        Assert.Equal(["Respiratory rate", "Consciousness"], result.Missing);
        Assert.Equal(0, result.Total);
    }

    private static (string?, int) Summary(ScoreResult result) => (result.RiskCategory, result.Total);
}
