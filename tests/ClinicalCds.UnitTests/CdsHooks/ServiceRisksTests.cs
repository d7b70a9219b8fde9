using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Risks;

namespace ClinicalCds.UnitTests.CdsHooks;

/// <summary>Which risk each CDS Service answers with is configuration, checked at start against the catalog and each hook.</summary>
public sealed class ServiceRisksTests
{
    [Fact]
    public void By_default_the_discharge_hook_answers_readmission_the_start_hook_complication_and_patient_view_tries_complication_first()
    {
        var risks = new ServiceRisks(new CdsHooksOptions(), RiskCatalog.Default);
        Assert.Equal([RiskCatalog.Readmission], risks.For(CdsServices.Readmission));
        Assert.Equal([RiskCatalog.Complication], risks.For(CdsServices.Deterioration));
        Assert.Equal([RiskCatalog.Complication, RiskCatalog.Readmission], risks.For(CdsServices.Summary));
    }

    [Fact]
    public void Mistakes_are_named_an_unknown_model_a_model_judged_at_another_moment_two_models_for_an_encounter_hook_and_an_unknown_indicator_key()
    {
        var options = new CdsHooksOptions();
        options.ServiceModels[CdsServices.Readmission] = "complication";
        options.ServiceModels[CdsServices.Deterioration] = "complication,readmission";
        options.ServiceModels[CdsServices.Summary] = "sepsis";
        options.Indicators["Deterioration.High"] = "critical";
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceRisks(options, RiskCatalog.Default)).Message;
        Assert.Contains("CdsHooks:ServiceModels:readmission-risk: the model 'complication' is judged during a stay, which the encounter-discharge hook is not.", error, StringComparison.Ordinal);
        Assert.Contains("CdsHooks:ServiceModels:deterioration-risk: name exactly one model for the encounter-start hook.", error, StringComparison.Ordinal);
        Assert.Contains("CdsHooks:ServiceModels:patient-risk-summary: unknown model 'sepsis' (known: readmission, complication).", error, StringComparison.Ordinal);
        Assert.Contains("CdsHooks:Indicators: 'Deterioration.High' is not MODEL.TIER", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_risk_has_its_own_default_indicators_and_low_risk_shows_no_card()
    {
        Assert.Equal(("critical", "warning", null), (RiskCatalog.Complication.DefaultIndicator(RiskTier.High),
            RiskCatalog.Complication.DefaultIndicator(RiskTier.Moderate), RiskCatalog.Complication.DefaultIndicator(RiskTier.Low)));
        Assert.Equal(("warning", "info", null), (RiskCatalog.Readmission.DefaultIndicator(RiskTier.High),
            RiskCatalog.Readmission.DefaultIndicator(RiskTier.Moderate), RiskCatalog.Readmission.DefaultIndicator(RiskTier.Low)));
    }
}
