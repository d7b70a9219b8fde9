using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;

namespace ClinicalCds.UnitTests.Models;

/// <summary>How the coverage of the stated range is counted (issue 31 item 2).</summary>
public sealed class RangeCoverageTests
{
    private static readonly List<string> Names = [.. FeatureCatalog.Features.Select(f => f.Name)];
    private static readonly CardEstimate None = new(double.NaN, double.NaN, double.NaN);

    /// <summary>
    /// A model decided by hemoglobin at 10 g/dL (log-odds +1.5 below, −4.5 above), its plausible values 8 g/dL (a share
    /// <c>lowShare</c>, half by default) and 12; every other input has a reference but no effect.
    /// </summary>
    private sealed class HemoglobinModel(double lowShare = 0.5) : IRiskModel
    {
        public ModelCard Card { get; } = new(
            "readmission", "9.9.9", "test", "test", FeatureCatalog.Version, "Features", "Score.output", "test",
            [.. FeatureCatalog.Features.Select(f => new CardFeature(f.Name, f.Unit, f.Definition, 0, 0, 0,
                f.Name == "HemoglobinGdl" ? [.. Enumerable.Repeat(8.0, (int)(20 * lowShare)), .. Enumerable.Repeat(12.0, 20 - (int)(20 * lowShare))] : [.. Enumerable.Repeat(0.0, 20)]))], "test",
            new Dictionary<string, object>(), new CardCalibration("platt", 0, 1, "test"),
            new CardMetrics(0, 0, 0, None, None, None, None, None, None, [], [], "none"), [], null, [], new CardTiers(0.2, 0.4, "test"), "x", "test");

        public TreeEnsemble Trees { get; } = new(-1.5, [new RegressionTree([Names.IndexOf("HemoglobinGdl")], [10], [~0], [~1], [3, -3], [2], [1, 1], 1)]);

        public double[] RawScores(IReadOnlyList<float[]> rows) => [.. rows.Select(r => Trees.Predict(Array.ConvertAll(r, v => (double)v)))];
    }

    private static FeatureVector Chart(double? hemoglobin, double charlson = 0, double? female = 0)
    {
        var values = Names.Select(n => (double?)0).ToArray();
        values[Names.IndexOf("HemoglobinGdl")] = hemoglobin;
        values[Names.IndexOf("Female")] = female;
        values[Names.IndexOf("CharlsonIndex")] = charlson;
        foreach (var vital in new[] { "OxygenSaturationBelow96Percent", "SupplementalOxygen", "WhiteBloodCellsPerNl" })
        {
            values[Names.IndexOf(vital)] = null;
        }

        return new FeatureVector(FeatureCatalog.Version, values);
    }

    [Fact]
    public void Each_mask_counts_the_charts_it_changes_and_whether_the_range_then_stated_holds_their_estimate()
    {
        // Hemoglobin 9 and 11 lie on either side of the split: without it, the range spans both leaves and holds both.
        // Two charts without hemoglobin are not changed by the blood-count mask; nobody has pulse oximetry to remove;
        // the conditions mask leaves every chart's comorbidity missing (recorded as 0 or 3 here), which this model does not
        // lean on: the range then stated holds all six.
        FeatureVector[] charts = [Chart(9), Chart(11), Chart(9), Chart(null), Chart(null), Chart(11, charlson: 3)];
        var coverage = RangeCoverage.Measure(new HemoglobinModel(), [.. charts.Select((c, i) => ($"patient {i}", c))]).ToDictionary(c => c.Mask, StringComparer.Ordinal);

        Assert.Equal(RangeCoverage.Masks.Count, coverage.Count);
        // The four hemoglobins removed are all below a man's reference interval (14.0–17.5 g/dL).
        var blood = new CardRangeCoverage("blood count (hemoglobin, white cells)", 4, 4, 0);
        Assert.Equal(blood with { WhereAbnormal = blood }, coverage["blood count (hemoglobin, white cells)"]);
        Assert.Equal(0, coverage["pulse oximetry and oxygen"].Rows);
        // The other labs are recorded (0) in these charts: the all-labs mask changes all six.
        Assert.Equal(6, coverage["all labs"].Rows);
        Assert.Equal(new CardRangeCoverage("conditions", 6, 6, 0), coverage["conditions"]);
    }

    [Fact]
    public void Where_what_was_removed_was_abnormal_is_counted_apart_by_the_patients_sex()
    {
        // Without hemoglobin the range is the 12 g/dL leaf (every plausible value 12): it holds charts at 10 g/dL or more
        // and misses those below, their estimate above it. 13 g/dL is normal for a woman (12.0–15.7), not for a man
        // (14.0–17.5); of unknown sex, normal only where both intervals agree (14.0–15.7).
        var model = new HemoglobinModel(lowShare: 0);
        FeatureVector[] charts =
        [
            Chart(13, female: 1), // normal, held
            Chart(13, female: 0), // abnormal, held
            Chart(9, female: 1), // abnormal, above
            Chart(9, female: 0), // abnormal, above
            Chart(14.5, female: null), // normal, held
            Chart(13, female: null), // abnormal, held
        ];

        var coverage = RangeCoverage.Measure(model, [.. charts.Select((c, i) => ($"patient {i}", c))]).ToDictionary(c => c.Mask, StringComparer.Ordinal);

        var blood = coverage["blood count (hemoglobin, white cells)"];
        Assert.Equal((6, 4, 2), (blood.Rows, blood.Covered, blood.Above));
        Assert.Equal((4, 2, 2), (blood.WhereAbnormal!.Rows, blood.WhereAbnormal.Covered, blood.WhereAbnormal.Above));
        Assert.Equal(blood.Mask, blood.WhereAbnormal.Mask);
        // Comorbidities have no normal values: no abnormal count; nor is one nested in the abnormal count.
        Assert.Null(coverage["conditions"].WhereAbnormal);
        Assert.Null(blood.WhereAbnormal.WhereAbnormal);
    }

    [Fact]
    public void A_shares_interval_is_over_resamples_of_patients_so_charts_of_few_patients_give_a_wide_one()
    {
        // Hemoglobin's plausible values all 12 g/dL: without it the range is the 12 g/dL leaf, which holds a chart at 11
        // and misses one at 9 (its estimate above). Twelve charts at 11 and four at 9: 75 % held.
        var model = new HemoglobinModel(lowShare: 0);
        FeatureVector[] charts = [.. Enumerable.Repeat(Chart(11), 12), .. Enumerable.Repeat(Chart(9), 4)];
        const string Blood = "blood count (hemoglobin, white cells)";

        var ofSixteen = RangeCoverage.Measure(model, [.. charts.Select((c, i) => ($"patient {i}", c))]).Single(c => c.Mask == Blood);
        // The same charts from four patients, each patient's four charts alike: three patients held, one missed.
        var ofFour = RangeCoverage.Measure(model, [.. charts.Select((c, i) => ($"patient {i / 4}", c))]).Single(c => c.Mask == Blood);

        Assert.Equal((16, 12, 4), (ofSixteen.Rows, ofSixteen.Covered, ofSixteen.Above));
        Assert.Equal(ofSixteen with { Low = ofFour.Low, High = ofFour.High, WhereAbnormal = ofFour.WhereAbnormal }, ofFour);
        Assert.InRange(ofSixteen.Share, ofSixteen.Low!.Value, ofSixteen.High!.Value);
        Assert.InRange(ofFour.Share, ofFour.Low!.Value, ofFour.High!.Value);
        // Four patients, one of whom is every miss, know far less than sixteen.
        Assert.True(ofFour.High - ofFour.Low > ofSixteen.High - ofSixteen.Low + 0.1, $"{ofFour.Low}–{ofFour.High} against {ofSixteen.Low}–{ofSixteen.High}");
    }

    [Theory]
    // The MIMIC-IV demo: 22 complication patients with 65 charts, 52 readmission patients with 97: one patient a fold.
    [InlineData(22, 65, 22)]
    [InlineData(52, 97, 52)]
    // Few patients: still one a patient, and two folds at least.
    [InlineData(3, 9, 3)]
    [InlineData(1, 4, 2)]
    // A hospital: each fit reads at most 1,000 charts, and 10,000 chart fits make 10 folds.
    [InlineData(2000, 30000, 10)]
    [InlineData(400, 500, 20)]
    // Many charts of few patients: 10 folds, as for any thousand charts or more.
    [InlineData(300, 100000, 10)]
    public void The_local_coverage_leaves_one_patient_out_at_a_time_while_the_charts_are_few(int patients, int charts, int folds) =>
        Assert.Equal(folds, RangeCoverage.FoldsFor(patients, charts));
}
