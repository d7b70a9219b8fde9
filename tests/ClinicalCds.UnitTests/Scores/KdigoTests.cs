using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Domain.Units;

namespace ClinicalCds.UnitTests.Scores;

// KDIGO AKI guideline 2012, section 2.1 (../shared/reference/SCORES.md §5).
public sealed class KdigoTests
{
    [Theory]
    // Absolute rise within 48 h: ≥ 0.3 mg/dL is stage 1.
    [InlineData(1.29, 1.0, null, 0)]
    [InlineData(1.3, 1.0, null, 1)]
    [InlineData(1.2, 0.9, null, 1)] // 1.2 − 0.9 is 0.2999… in binary; the guideline means 0.3
    // Ratio to the 7-day baseline: 1.5–1.9 stage 1, 2.0–2.9 stage 2, ≥ 3.0 stage 3.
    [InlineData(1.49, null, 1.0, 0)]
    [InlineData(1.5, null, 1.0, 1)]
    [InlineData(1.99, null, 1.0, 1)]
    [InlineData(2.0, null, 1.0, 2)]
    [InlineData(2.99, null, 1.0, 2)]
    [InlineData(3.0, null, 1.0, 3)]
    // An increase to ≥ 4.0 mg/dL is stage 3 ...
    [InlineData(4.0, 3.6, 3.0, 3)]
    // ... but a stable high value is chronic kidney disease, not AKI.
    [InlineData(4.2, 4.1, 4.0, 0)]
    // Falling creatinine is no AKI.
    [InlineData(1.0, 1.6, 1.6, 0)]
    public void Stages_from_the_creatinine_course(double latest, double? lowest48h, double? lowest7d, int stage) =>
        Assert.Equal(stage, Kdigo.Stage(new CreatinineCourse(latest, lowest48h, lowest7d)));

    [Fact]
    public void Without_an_earlier_value_AKI_cannot_be_assessed()
    {
        Assert.Null(Kdigo.Stage(new CreatinineCourse(2.5, null, null)));
        Assert.Equal("not assessable", Kdigo.Score(new CreatinineCourse(2.5, null, null)).RiskCategory);
        Assert.Equal(["creatinine"], Kdigo.Score(null).Missing);
    }

    [Fact]
    public void The_guidelines_micromolar_thresholds_hold_after_conversion()
    {
        static double MgDl(double umolL) => UnitConversion.ToCanonical(Loinc.CreatinineSerumPlasma, umolL, "umol/L")!.Value.Value;

        // A rise of 26.5 µmol/L within 48 h is stage 1; 26 µmol/L is not.
        Assert.Equal(1, Kdigo.Stage(new CreatinineCourse(MgDl(88.4 + 26.5), MgDl(88.4), null)));
        Assert.Equal(0, Kdigo.Stage(new CreatinineCourse(MgDl(88.4 + 26.0), MgDl(88.4), null)));
        // An increase to 353.6 µmol/L is stage 3.
        Assert.Equal(3, Kdigo.Stage(new CreatinineCourse(MgDl(353.6), MgDl(300), null)));
    }
}
