using ClinicalCds.Domain.Features;

namespace ClinicalCds.UnitTests.Features;

/// <summary>
/// What "normal" means for a missing input (issue 31 item 4). The laboratory intervals are checked against the MIMIC-IV
/// laboratory's own charted reference ranges in the integration tests (ShippedModelTests); here the rest of the table.
/// </summary>
public sealed class NormalLimitsTests
{
    [Fact]
    public void Every_input_with_normal_values_is_a_catalog_input_and_the_catalogs_labs_and_vital_signs_all_have_them()
    {
        var catalog = FeatureCatalog.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(NormalLimits.Inputs, name => Assert.Contains(name, catalog));
        // Every vital sign input (those a raise must never lower the risk through, ADR 0007) has normal values.
        Assert.All(FeatureCatalog.Features.Where(f => f.NeverLowersRisk), f => Assert.Contains(f.Name, NormalLimits.Inputs));
        Assert.Equal(19, NormalLimits.Inputs.Count);
        Assert.Null(NormalLimits.Of("AgeYears", null));
        Assert.Null(NormalLimits.Of("CharlsonIndex", true));
    }

    [Theory]
    [InlineData(0.29, true)]
    [InlineData(-1.5, true)]
    [InlineData(0.3, false)]
    [InlineData(0.5, false)]
    public void A_creatinine_rise_of_0_3_mg_dL_within_48_h_is_no_longer_normal_KDIGO_2012(double rise, bool normal)
    {
        // KDIGO Clinical Practice Guideline for Acute Kidney Injury 2012, 2.1.1: AKI is a rise of ≥ 0.3 mg/dL within 48 h.
        Assert.Equal(normal, NormalLimits.Of("CreatinineChange48hMgDl", null)!.Contains(rise));
        Assert.Equal(0, NormalLimits.Of("CreatinineChange48hMgDl", null)!.Middle);
        Assert.True(NormalLimits.Of("AkiStageKdigo", false)!.Contains(0));
        Assert.False(NormalLimits.Of("AkiStageKdigo", false)!.Contains(1));
    }

    [Fact]
    public void A_vital_sign_is_normal_within_NEWS2s_0_point_band_and_sex_unknown_takes_what_both_intervals_call_normal()
    {
        // The vital sign inputs are derangements beyond NEWS2's 0-point band (RCP NEWS2 2017, Chart 1): 0 inside it.
        Assert.True(NormalLimits.Of("HeartRateAbove90PerMin", null)!.Contains(0));
        Assert.False(NormalLimits.Of("HeartRateAbove90PerMin", null)!.Contains(1));
        Assert.False(NormalLimits.Of("SupplementalOxygen", null)!.Contains(1));

        Assert.Equal(new NormalInterval(12.0, 15.7), NormalLimits.Of("HemoglobinGdl", true));
        Assert.Equal(new NormalInterval(14.0, 17.5), NormalLimits.Of("HemoglobinGdl", false));
        Assert.Equal(new NormalInterval(14.0, 15.7), NormalLimits.Of("HemoglobinGdl", null));
        Assert.Equal(new NormalInterval(0.5, 1.1), NormalLimits.Of("CreatinineMgDl", null));
    }
}
