using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;

namespace ClinicalCds.UnitTests.Risks;

/// <summary>Issue 34 item 4: each risk owns its inputs — a versioned list, every input worded for a card.</summary>
public sealed class RiskInputsTests
{
    private sealed class WithUnwordedInput : ReadmissionRisk
    {
        public override string Name => "unworded";

        public override FeatureSet Inputs { get; } = FeatureCatalog.Standard.With(
            "unworded/1", FeatureDefinition.Computed("StayPlusAge", "a", "Length of stay plus age", "Encounter.period, Patient.birthDate", f => f.LengthOfStayDays + f.AgeYears));
    }

    private sealed class WithWordedInput : ReadmissionRisk
    {
        public override string Name => "worded";

        public override FeatureSet Inputs { get; } = FeatureCatalog.Standard.With(
            "worded/1", FeatureDefinition.Computed("StayPlusAge", "a", "Length of stay plus age", "Encounter.period, Patient.birthDate", f => f.LengthOfStayDays + f.AgeYears,
                words: new FeatureWords(FeatureValueKind.Measure, "stay plus age")));
    }

    [Fact]
    public void A_risk_whose_own_input_has_no_words_for_a_card_is_refused_by_the_catalog()
    {
        var refused = Assert.Throws<ArgumentException>(() => RiskCatalog.Default.With(new WithUnwordedInput()));
        Assert.Contains("The input StayPlusAge of risk 'unworded' has no words", refused.Message, StringComparison.Ordinal);
        Assert.Equal("stay plus age", Domain.Explanations.FactorWording.LabelOf("StayPlusAge", RiskCatalog.Default.With(new WithWordedInput()).Get("worded").Inputs));
    }

    [Fact]
    public void The_shipped_risks_have_the_standard_inputs_and_a_set_refuses_a_name_listed_twice()
    {
        Assert.All(RiskCatalog.Default.All, r => Assert.Same(FeatureCatalog.Standard, r.Inputs));
        Assert.Equal(FeatureCatalog.Features.Count, FeatureCatalog.Standard.Count);
        Assert.Equal(FeatureCatalog.Features.Count + 1, new WithWordedInput().Inputs.Count);
        Assert.Equal(FeatureCatalog.Features.Count, new WithWordedInput().Inputs.IndexOf("StayPlusAge"));
        Assert.Throws<ArgumentException>(() => FeatureCatalog.Standard.With("twice/1", FeatureCatalog.Features[0]));
    }
}
