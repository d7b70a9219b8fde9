using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Application.CdsHooks.EvaluateHook;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scores;

namespace ClinicalCds.UnitTests.Risks;

/// <summary>
/// A published score's alarm is never silenced by a model (issue 29 item 3; RCP NEWS2 2017 clinical response thresholds):
/// NEWS2 ≥ 7 or any single parameter scoring 3 is at least the high tier, 5–6 at least the moderate tier, and such a card
/// is shown whatever ShowLowRisk says. A stay with no vital signs charted is "insufficient data", never "low" or silence.
/// </summary>
public sealed class GuardrailTests
{
    private static readonly ComplicationRisk Complication = new();
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    private static ClinicalFeatures Patient(double? rr, double? spo2, bool? oxygen, double? sbp, double? hr, Consciousness? level, double? celsius) => new()
    {
        PatientId = "p1",
        IndexEncounterId = "e1",
        AsOf = Now,
        AgeYears = 75,
        AdmittedAt = Now.AddDays(-2),
        LengthOfStayDays = 2,
        CharlsonCategories = new HashSet<string>(),
        ElixhauserCategories = new HashSet<string>(),
        RespiratoryRate = rr is { } a ? new Measurement(a, "/min", Now.AddHours(-1)) : null,
        OxygenSaturation = spo2 is { } b ? new Measurement(b, "%", Now.AddHours(-1)) : null,
        SupplementalOxygen = oxygen,
        SystolicBloodPressure = sbp is { } c ? new Measurement(c, "mm[Hg]", Now.AddHours(-1)) : null,
        HeartRate = hr is { } d ? new Measurement(d, "/min", Now.AddHours(-1)) : null,
        Consciousness = level,
        Temperature = celsius is { } e ? new Measurement(e, "Cel", Now.AddHours(-1)) : null,
    };

    private static readonly ClinicalFeatures Normal = Patient(16, 97, false, 125, 75, Consciousness.Alert, 37.0);

    /// <summary>Every parameter in NEWS2's 3-point band: NEWS2 20.</summary>
    private static readonly ClinicalFeatures Collapse = Patient(6, 85, true, 70, 30, Consciousness.Unresponsive, 34.0);

    private static RiskExplanation ModelSays(ClinicalFeatures features, double probability) =>
        ScoreExplanations.FromModel(Complication, "complication 9.9.9", probability, 0.034, 0.094, [], features, MissingEvidence.None);

    [Fact]
    public void A_model_estimating_low_for_a_patient_in_collapse_is_shown_in_the_high_tier_with_the_reason()
    {
        var news2 = Complication.Reference(Collapse);
        Assert.True(news2.Total >= 7, $"NEWS2 {news2.Total}");
        var risk = ModelSays(Collapse, 0.03);

        Assert.Equal(RiskTier.High, risk.Tier);
        Assert.Equal("high", RiskAssessments.TierOf(risk));
        Assert.Contains($"NEWS2 {news2.Total} — emergency response threshold (RCP 2017)", risk.Summary, StringComparison.Ordinal);
        Assert.EndsWith("; model 3%", risk.Summary, StringComparison.Ordinal);
        Assert.Contains("never silenced", risk.DetailMarkdown, StringComparison.Ordinal);
        Assert.Contains("Estimated risk of deterioration within 48 h: 3%** (complication 9.9.9; low tier", risk.DetailMarkdown, StringComparison.Ordinal);
        Assert.True(risk.Summary.Length <= 140);
        Assert.False(risk.InsufficientData);
    }

    [Theory]
    [InlineData(6.0, 97.0, 125.0, 75.0, 37.0, "Respiratory rate 6 /min scores 3 in NEWS2")]
    [InlineData(16.0, 90.0, 125.0, 75.0, 37.0, "Oxygen saturation (SpO2 scale 1) 90 % scores 3 in NEWS2")]
    [InlineData(16.0, 97.0, 88.0, 75.0, 37.0, "Systolic blood pressure 88 mmHg scores 3 in NEWS2")]
    [InlineData(16.0, 97.0, 125.0, 135.0, 37.0, "Heart rate 135 /min scores 3 in NEWS2")]
    [InlineData(16.0, 97.0, 125.0, 38.0, 37.0, "Heart rate 38 /min scores 3 in NEWS2")]
    [InlineData(16.0, 97.0, 125.0, 75.0, 34.8, "Temperature 34.8 °C scores 3 in NEWS2")]
    public void A_single_parameter_scoring_three_is_at_least_the_high_tier_in_either_direction(double rr, double spo2, double sbp, double hr, double celsius, string reason)
    {
        var risk = ModelSays(Patient(rr, spo2, false, sbp, hr, Consciousness.Alert, celsius), 0.01);
        Assert.Equal(RiskTier.High, risk.Tier);
        Assert.StartsWith(reason, risk.Guardrail!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresponsive_alone_is_at_least_the_high_tier_said_in_the_charts_words()
    {
        var risk = ModelSays(Patient(16, 97, false, 125, 75, Consciousness.Unresponsive, 37.0), 0.01);
        Assert.Equal(RiskTier.High, risk.Tier);
        Assert.Equal("High risk of deterioration within 48 h: Consciousness unresponsive scores 3 in NEWS2 — urgent response (RCP 2017); model 1%", risk.Summary);
    }

    [Fact]
    public void The_longest_single_parameter_alarm_fits_the_summary_with_the_models_estimate()
    {
        var risk = ModelSays(Patient(16, 91, false, 125, 75, Consciousness.Alert, 37.0), 0.014);
        Assert.Equal("High risk of deterioration within 48 h: Oxygen saturation (SpO2 scale 1) 91 % scores 3 in NEWS2 — urgent response (RCP 2017); model 1%", risk.Summary);
        Assert.True(risk.Summary.Length <= 140, $"{risk.Summary.Length} characters");
    }

    [Fact]
    public void News2_five_or_six_is_at_least_the_moderate_tier_and_a_higher_model_tier_stands()
    {
        // RR 22 (2) + SpO2 95 (1) + HR 95 (1) + 38.5 °C (1) = 5, no single 3.
        var five = Patient(22, 95, false, 125, 95, Consciousness.Alert, 38.5);
        Assert.Equal(5, Complication.Reference(five).Total);
        Assert.Equal(RiskTier.Moderate, ModelSays(five, 0.01).Tier);
        Assert.Contains("NEWS2 5 — urgent response threshold (RCP 2017)", ModelSays(five, 0.01).Summary, StringComparison.Ordinal);
        var agreed = ModelSays(five, 0.50);
        Assert.Equal(RiskTier.High, agreed.Tier);
        Assert.Contains("The model's estimate agrees", agreed.DetailMarkdown, StringComparison.Ordinal);
        // The alarm is named on the card whether or not it raised the tier.
        Assert.Equal("High risk of deterioration within 48 h: NEWS2 5 — urgent response threshold (RCP 2017); model 50%", agreed.Summary);
    }

    [Fact]
    public void A_normal_set_raises_no_alarm_and_the_model_decides()
    {
        Assert.Null(Complication.Guardrail(Normal));
        Assert.Equal(RiskTier.Low, ModelSays(Normal, 0.01).Tier);
        Assert.Equal(RiskTier.High, ModelSays(Normal, 0.20).Tier);
    }

    [Fact]
    public void The_published_fallback_follows_the_same_guardrail()
    {
        // Heart rate 135 alone: NEWS2 3, "low-medium"; the guardrail makes it the high tier.
        var risk = Complication.Published(Patient(16, 97, false, 125, 135, Consciousness.Alert, 37.0));
        Assert.Equal(RiskTier.High, risk.Tier);
        Assert.NotNull(risk.Guardrail);
    }

    [Fact]
    public void An_alarm_card_is_shown_even_when_low_risk_cards_are_off_and_the_tier_is_configured_silent()
    {
        var options = new CdsHooksOptions { ShowLowRisk = false };
        options.Indicators["complication.High"] = "none";
        var card = RiskCards.Create(ModelSays(Collapse, 0.03), Collapse, options);
        Assert.NotNull(card);
        Assert.Equal("critical", card.Indicator);
        Assert.Null(RiskCards.Create(ModelSays(Normal, 0.01), Normal, new CdsHooksOptions { ShowLowRisk = false }));
    }

    [Fact]
    public void No_vital_signs_charted_is_insufficient_data_shown_as_an_info_card_never_low_or_silent()
    {
        var unobserved = Patient(null, null, null, null, null, null, null);
        foreach (var risk in new[] { ModelSays(unobserved, 0.02), Complication.Published(unobserved) })
        {
            Assert.True(risk.InsufficientData);
            Assert.Equal(RiskAssessments.Insufficient, RiskAssessments.TierOf(risk));
            Assert.Contains("No vital signs were charted in the 24 h before 2026-12-06 10:00 UTC", risk.DetailMarkdown, StringComparison.Ordinal);
            Assert.DoesNotContain("NEWS2 0", risk.DetailMarkdown + risk.Summary + risk.PublishedScore, StringComparison.Ordinal);
            Assert.Equal("NEWS2 not computed: nothing recorded", risk.PublishedScore);
            var card = RiskCards.Create(risk, unobserved, new CdsHooksOptions { ShowLowRisk = false });
            Assert.Equal("info", card!.Indicator);
            Assert.Null(card.Suggestions);
        }
    }

    [Fact]
    public void The_readmission_risk_has_no_guardrail_from_vital_signs()
    {
        Assert.Null(new ReadmissionRisk().Guardrail(Collapse));
        Assert.Null(new ReadmissionRisk().CannotEstimate(Patient(null, null, null, null, null, null, null)));
    }
}
