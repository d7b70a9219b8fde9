using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Timeline;
using static ClinicalCds.UnitTests.Features.Facts;

namespace ClinicalCds.UnitTests.Explanations;

/// <summary>
/// What a card says about inputs not recorded: the 10th–90th percentile range and each input's whole range are said so
/// that they cannot read as contradicting each other (the sandbox showed "between 31% and 31%" above "31% to 37%").
/// </summary>
public sealed class MissingWordingTests
{
    private static readonly ClinicalFeatures Features = FeatureBuilder.Build(PatientTimeline.Create(PatientId,
    [
        new(Patient: Patient()),
        new(Encounter: Stay("stay", "2026-03-01T07:00:00Z", "2026-03-13T10:00:00Z")),
    ]), "stay", At("2026-03-13T10:00:00Z"))!;

    private static string Detail(double low, double high) => ScoreExplanations.FromModel(
        RiskCatalog.Readmission, "readmission model 0.3.0", 0.31, 0.13, 0.40, [], Features,
        new MissingEvidence(78, [new MissingInput("NotAlert", 0.31, 0.37)], low, high)).DetailMarkdown;

    [Fact]
    public void A_plausible_range_that_rounds_to_one_value_is_never_said_as_X_to_X()
    {
        var detail = Detail(0.3101, 0.3104);

        Assert.Contains("For 8 in 10 patients like this one, what is missing would put the estimate at about 31% (judged on what was recorded", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("between 31% and 31%", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("stays at", detail, StringComparison.Ordinal);
        Assert.Contains("with the whole range each alone could give (rare values included)", detail, StringComparison.Ordinal);
        Assert.Contains("31% to 37%", detail, StringComparison.Ordinal);
        // Whole points that meet are said to a tenth of a point.
        Assert.Contains("would put the estimate between 30.6% and 31.4%", Detail(0.306, 0.314), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.12, 0.25, "12% to 25%")]
    [InlineData(0.966, 0.972, "96.6% to 97.2%")]
    [InlineData(0.9701, 0.9704, "about 97% whatever its value")]
    public void One_missing_inputs_range_is_never_said_as_X_to_X(double low, double high, string said)
    {
        Assert.Equal(said, ScoreExplanations.FromTo(low, high));
    }

    [Fact]
    public void A_wider_plausible_range_is_given_with_its_bounds_and_what_it_is_not()
    {
        var detail = Detail(0.29, 0.34);
        Assert.Contains("For 8 in 10 patients like this one, what is missing would put the estimate between 29% and 34%", detail, StringComparison.Ordinal);
        Assert.Contains("not the model's own error", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_reaching_into_another_tier_is_insufficient_data_not_a_tier()
    {
        // Issue 31 item 3: tiers at 13 % and 40 %; a range of 10–20 % cannot tell low from moderate.
        var risk = ScoreExplanations.FromModel(
            RiskCatalog.Readmission, "readmission model 0.3.0", 0.15, 0.13, 0.40, [], Features,
            new MissingEvidence(78, [new MissingInput("HemoglobinGdl", 0.09, 0.22)], 0.10, 0.20));
        Assert.True(risk.InsufficientData);
        Assert.Contains("could be anywhere from 10% (low) to 20% (moderate), so no tier is given", risk.DetailMarkdown, StringComparison.Ordinal);

        var within = ScoreExplanations.FromModel(
            RiskCatalog.Readmission, "readmission model 0.3.0", 0.15, 0.13, 0.40, [], Features,
            new MissingEvidence(78, [new MissingInput("HemoglobinGdl", 0.14, 0.18)], 0.14, 0.17));
        Assert.False(within.InsufficientData);
    }

    [Fact]
    public void With_every_input_the_model_leans_on_most_missing_the_answer_is_insufficient_data_whatever_the_range()
    {
        var risk = ScoreExplanations.FromModel(
            RiskCatalog.Readmission, "readmission model 0.3.0", 0.15, 0.13, 0.40, [], Features,
            new MissingEvidence(78, [new MissingInput("HemoglobinGdl", 0.14, 0.18)], 0.14, 0.17) { MainInputsMissing = ["HemoglobinGdl", "SodiumMmolL"] });
        Assert.True(risk.InsufficientData);
        Assert.Contains("the inputs it leans on most (hemoglobin, sodium) were none of them recorded", risk.DetailMarkdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_says_how_low_the_estimate_could_be_were_the_missing_labs_and_vital_signs_normal()
    {
        // Issue 31 item 4: tiers at 13 % and 40 %; the plausible range 15–19 %, normal labs could take it to 9 % (low tier).
        string DetailWith(double? ifNormal) => ScoreExplanations.FromModel(
            RiskCatalog.Readmission, "readmission model 0.3.0", 0.17, 0.13, 0.40, [], Features,
            new MissingEvidence(78, [new MissingInput("HemoglobinGdl", 0.14, 0.19)], 0.15, 0.19) { IfNormalLow = ifNormal }).DetailMarkdown;

        Assert.Contains("would put the estimate between 15% and 19% (judged on what was recorded: how much the missing data could change the estimate, not the model's own error). "
            + "Were the missing labs and vital signs all normal, it could be as low as 9% (low tier).", DetailWith(0.09), StringComparison.Ordinal);
        Assert.Contains("Were the missing labs and vital signs all normal, it could be as low as 14%.", DetailWith(0.14), StringComparison.Ordinal);
        Assert.Contains("it could be as low as 14.6%.", DetailWith(0.146), StringComparison.Ordinal);
        // Within the plausible range already, or none of them missing: nothing more to say.
        Assert.DoesNotContain("Were the missing labs", DetailWith(0.16), StringComparison.Ordinal);
        Assert.DoesNotContain("Were the missing labs", DetailWith(null), StringComparison.Ordinal);
    }
}
