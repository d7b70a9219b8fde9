using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.UnitTests.Features;

public sealed class FactorWordingTests
{
    private static FeatureDefinition Definition(string name) => FeatureCatalog.Features.Single(f => f.Name == name);

    [Fact]
    public void Counts_take_the_noun_in_their_number()
    {
        Assert.Equal("1 hour", FactorWording.AgeText(TimeSpan.FromMinutes(90)));
        Assert.Equal("5 hours", FactorWording.AgeText(TimeSpan.FromHours(5)));
        Assert.Equal("1 day", FactorWording.Count(1, "day"));
        Assert.Equal("0 days", FactorWording.Count(0, "day"));
        Assert.Equal("admissions in the prior 12 months", FactorWording.LabelOf("AdmissionsPrior12Months"));
        Assert.Equal("1 day", ClinicalCds.Domain.Scores.Lace.Score(new(1, false, [], 0)).Components.Single(c => c.Name == "Length of stay").PatientValue);
    }

    [Fact]
    public void Every_catalog_feature_has_clinical_wording() =>
        Assert.All(FeatureCatalog.Features, f => Assert.True(FactorWording.HasWording(f), f.Name));

    [Theory]
    [InlineData("AdmissionsPrior12Months", 3.0, 0.4, "3 admissions in the prior 12 months — raises risk")]
    // One of a kind reads as one: "1 admission", "1 day", "1 medication" (issue 23 item 6).
    [InlineData("AdmissionsPrior12Months", 1.0, 0.4, "1 admission in the prior 12 months — raises risk")]
    [InlineData("EdVisitsPrior6Months", 1.0, 0.1, "1 emergency department visit in the prior 6 months — raises risk")]
    [InlineData("ActiveMedicationCount", 1.0, -0.1, "1 medication in the past year — lowers risk")]
    [InlineData("LengthOfStayDays", 1.0, -0.2, "Length of stay 1 day — lowers risk")]
    [InlineData("LengthOfStayDays", 12.0, 0.2, "Length of stay 12 days — raises risk")]
    [InlineData("HemoglobinGdl", 9.8, 0.2, "Hemoglobin 9.8 g/dL — raises risk")]
    [InlineData("HemoglobinGdl", null, -0.1, "Hemoglobin not recorded — lowers risk")]
    [InlineData("EmergentAdmission", 1.0, 0.3, "Emergency admission — raises risk")]
    [InlineData("EmergentAdmission", 0.0, -0.3, "No emergency admission — lowers risk")]
    [InlineData("Charlson_chf", 1.0, 0.25, "Congestive heart failure — raises risk")]
    [InlineData("TemperatureAbove38Celsius", 0.4, 0.1, "Temperature 0.4 °C above 38.0 — raises risk")]
    [InlineData("LengthOfStayDays", 6.0, 0.05, "Length of stay 6 days — raises risk")]
    public void Factors_read_as_a_clinician_would_say_them(string feature, double? value, double contribution, string expected) =>
        Assert.Equal(expected, FactorWording.Describe(Definition(feature), value, contribution).Text);

    [Theory]
    [InlineData("HeartRateAbove90PerMin", 45.0, 135.0, 0.8, "Heart rate 135 /min (above 90) — raises risk")]
    [InlineData("HeartRateAbove90PerMin", 0.0, 75.0, -0.1, "Heart rate 75 /min (not above 90) — lowers risk")]
    [InlineData("HeartRateBelow51PerMin", 13.0, 38.0, 0.9, "Heart rate 38 /min (below 51) — raises risk")]
    [InlineData("TemperatureBelow36_1Celsius", 1.1, 35.0, 0.3, "Temperature 35 °C (below 36.1) — raises risk")]
    public void A_vital_signs_derangement_is_said_as_the_measurement_with_the_band_edge(string feature, double derangement, double measured, double contribution, string expected) =>
        Assert.Equal(expected, FactorWording.Describe(Definition(feature), derangement, contribution, measured: measured).Text);

    [Fact]
    public void The_top_factors_are_the_largest_contributions_whichever_their_sign()
    {
        var contributions = new double[FeatureCatalog.Features.Count];
        var values = new double?[FeatureCatalog.Features.Count];
        var index = FeatureCatalog.Features.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i);
        contributions[index["AdmissionsPrior12Months"]] = 0.5;
        values[index["AdmissionsPrior12Months"]] = 4;
        contributions[index["AlbuminGdl"]] = -0.7;
        values[index["AlbuminGdl"]] = 4.4;
        contributions[index["AgeYears"]] = 0.1;
        values[index["AgeYears"]] = 81;

        var top = FactorWording.Top(FeatureCatalog.Standard, values, contributions, 2);

        Assert.Equal(["AlbuminGdl", "AdmissionsPrior12Months"], top.Select(f => f.Feature));
        Assert.False(top[0].RaisesRisk);
        Assert.Equal("Albumin 4.4 g/dL — lowers risk", top[0].Text);
    }

    [Fact]
    public void The_two_Charlson_weightings_are_one_driver_not_age_adjusted_and_no_conditions_is_said_as_such()
    {
        // Issue 30: "Charlson comorbidity index 7" and "Charlson index (Quan 2011) 4" were listed as two drivers.
        var contributions = new double[FeatureCatalog.Features.Count];
        var values = new double?[FeatureCatalog.Features.Count];
        var index = FeatureCatalog.Features.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i);
        (values[index["CharlsonIndex"]], contributions[index["CharlsonIndex"]]) = (7, 0.2);
        (values[index["CharlsonIndexQuan2011"]], contributions[index["CharlsonIndexQuan2011"]]) = (4, 0.15);
        (values[index["AlbuminGdl"]], contributions[index["AlbuminGdl"]]) = (2.8, 0.3);

        var top = FactorWording.Top(FeatureCatalog.Standard, values, contributions, 5);

        Assert.Equal(["CharlsonIndex", "AlbuminGdl"], top.Select(f => f.Feature));
        Assert.Equal(0.35, top[0].Contribution, 12);
        Assert.Equal("Charlson comorbidity index 7 (Quan 2011: 4; not age-adjusted) — raises risk", top[0].Text);

        // A patient with no condition recorded at all: the comorbidity is unknown (its inputs missing and completed), not none.
        var nothing = ClinicalCds.Domain.Features.FeatureBuilder.Build(
            ClinicalCds.Domain.Timeline.PatientTimeline.Create(Facts.PatientId,
                [new ProjectedFacts(Patient: Facts.Patient()), new ProjectedFacts(Encounter: Facts.Stay("stay", "2026-03-10T00:00:00Z", "2026-03-12T00:00:00Z"))]),
            "stay", Facts.At("2026-03-12T00:00:00Z"))!;
        Assert.Equal(0, nothing.ConditionsRecorded);
        var vector = FeatureCatalog.Vectorize(nothing).Values;
        Assert.Null(vector[index["CharlsonIndex"]]);
        Assert.Null(vector[index["Elixhauser_chf"]]);
        (values[index["CharlsonIndex"]], contributions[index["CharlsonIndex"]]) = (null, 0.2);
        (values[index["CharlsonIndexQuan2011"]], contributions[index["CharlsonIndexQuan2011"]]) = (null, 0.1);
        Assert.Equal("No conditions recorded (comorbidity taken as that of patients like this one on what was recorded) — raises risk",
            FactorWording.Top(FeatureCatalog.Standard, values, contributions, 1, nothing).Single().Text);
    }
}
