using System.Text.Json;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Infrastructure.Models;
using ClinicalCds.IntegrationTests.Features;
using ClinicalCds.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ClinicalCds.IntegrationTests.Training;

/// <summary>
/// Issue 22 item 1 on real data: `clinicalcds evaluate` runs the shipped model on the MIMIC-IV demo's patients (none of
/// whom it saw) and reports it as training reports its test split; --record puts the result in the model's card.
/// </summary>
[Collection(MimicStoreFixture.Collection)]
public sealed class MimicEvaluationTests(MimicStoreFixture mimic, ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("clinicalcds-evaluate-");

    [Fact]
    public async Task The_shipped_readmission_model_is_evaluated_on_every_labeled_MIMIC_discharge_and_recorded_in_a_copy_of_its_card()
    {
        // A copy of the shipped models, so that --record writes into the copy.
        var models = Path.Combine(_work.FullName, "models");
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "models"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(models, Path.GetRelativePath(Path.Combine(Repository.Root, "models"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var cutoff = mimic.DataEnd;
        var environment = mimic.CliEnvironment(models);
        var report = Path.Combine(_work.FullName, "report");
        var (exit, printed) = await CliProcess.RunAsync(
            environment, "evaluate", "--model", "readmission", "--data", "MIMIC-IV demo", "--as-of", cutoff.ToString("O"), "--out", report, "--record");
        Assert.True(exit == 0, $"exit {exit}: {printed}");
        output.WriteLine(printed);

        // Every index discharge whose 30-day window closed by the cutoff, with its label (MimicTerminologyTests checks these against the raw encounters).
        var labels = (await mimic.TimelinesAsync()).SelectMany(t => RiskCatalog.Readmission.Examples(t, cutoff)).Where(e => e.Label is not null).ToList();
        var written = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(report, "evaluation.json"))).RootElement;
        var evaluation = written.GetProperty("evaluation").Deserialize<CardExternalEvaluation>(ModelCard.Json)!;
        Assert.Equal(labels.Count, evaluation.Metrics.Rows);
        Assert.Equal(labels.Count(e => e.Label == true), evaluation.Metrics.Positives);
        Assert.Equal(labels.Select(e => e.PatientId).Distinct().Count(), evaluation.Metrics.Patients);
        Assert.InRange(evaluation.Metrics.Auroc.Value, evaluation.Metrics.Auroc.Low, evaluation.Metrics.Auroc.High);
        Assert.Equal(["HOSPITAL", "LACE"], evaluation.Baselines.Select(b => b.Name).Order());
        // Too few events for any subgroup to be read with confidence: each says so.
        Assert.All(written.GetProperty("subgroups").EnumerateArray(), g => Assert.False(string.IsNullOrEmpty(g.GetProperty("note").GetString())));
        foreach (var file in new[] { "evaluation.md", "roc.svg", "calibration.svg" })
        {
            Assert.True(File.Exists(Path.Combine(report, file)), file);
        }

        var markdown = await File.ReadAllTextAsync(Path.Combine(report, "evaluation.md"));
        Assert.Contains("MIMIC-IV demo", markdown, StringComparison.Ordinal);
        // Issue 32 item 4: the report's headline says that so few events establish nothing.
        var few = $"Only {labels.Count(e => e.Label == true)} events in {labels.Count} rows: at least 100 are needed";
        Assert.Contains($"> **{few}", markdown, StringComparison.Ordinal);

        // Recorded in the copy's card, which still loads (the ONNX file and its hash untouched).
        var folder = Directory.GetDirectories(Path.Combine(models, "readmission")).Single();
        var (package, error) = ModelPackage.Read(folder);
        Assert.True(package is not null, error);
        var shipped = ModelPackage.Read(Path.Combine(Repository.Root, "models", "readmission", Path.GetFileName(folder))).Package!.Card.ExternalEvaluations ?? [];
        Assert.Equal(shipped.Count + 1, package.Card.ExternalEvaluations?.Count);
        var recorded = package.Card.ExternalEvaluations![^1];
        Assert.Equal("MIMIC-IV demo", recorded.Data);
        Assert.Equal(evaluation.Metrics.Auroc, recorded.Metrics.Auroc);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Repository.Root, "models", "readmission", Path.GetFileName(folder), "model.onnx")), package.Onnx);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        // The same data and seed give the same numbers: the shipped card's MIMIC record is this evaluation.
        Assert.Contains(shipped, e => e.Metrics.Auroc == recorded.Metrics.Auroc && e.Metrics.Rows == recorded.Metrics.Rows);

        // Issue 31 item 2 on real charts: the stated range's coverage per way charts miss inputs, as recorded in the card.
        // Completed given the recorded inputs (ADR 0009), the range holds where every lab is missing — 56 % of charts
        // with the independent completion of ADR 0004 — though not for a blood count alone with the shipped completions (models/README.md).
        var coverage = recorded.RangeCoverage!.ToDictionary(c => c.Mask, StringComparer.Ordinal);
        Assert.Equal(RangeCoverage.Masks.Select(m => m.Name), recorded.RangeCoverage!.Select(c => c.Mask));
        Assert.Equal(shipped.Single(e => e.Metrics.Auroc == recorded.Metrics.Auroc).RangeCoverage, recorded.RangeCoverage);
        output.WriteLine(string.Join("; ", recorded.RangeCoverage!.Select(c => $"{c.Mask}: {c.Covered}/{c.Rows}")));
        Assert.True(coverage["all labs"].Rows >= 80 && coverage["all labs"].Share >= 0.75, $"all labs {coverage["all labs"].Covered}/{coverage["all labs"].Rows}");
        Assert.True(coverage["labs and vital signs"].Share >= 0.75, $"labs and vital signs {coverage["labs and vital signs"].Covered}/{coverage["labs and vital signs"].Rows}");
        // A chart without its conditions is completed like patients with the same recorded inputs (catalog 4), no longer
        // read as one without comorbidity (16 % of MIMIC-IV charts covered when it was).
        Assert.True(coverage["conditions"].Rows >= 50 && coverage["conditions"].Share >= 0.75, $"conditions {coverage["conditions"].Covered}/{coverage["conditions"].Rows}");

        // The blood-count mask changes every labelled discharge with a hemoglobin or a white cell count at discharge, read
        // from the raw NDJSON (items 51222; 51300, 51301, 51755 — the latest from 24 h before admission to the discharge).
        const string Blood = "blood count (hemoglobin, white cells)";
        var labelled = labels.Select(e => e.Stay.EncounterId).ToHashSet(StringComparer.Ordinal);
        var withBloodCount = mimic.Raw.IndexDischarges().Where(a => labelled.Contains(a.Id))
            .Count(a => mimic.Raw.LatestAtDischarge(a, "51222").Count > 0 || mimic.Raw.LatestAtDischarge(a, "51300", "51301", "51755").Count > 0);
        Assert.Equal(withBloodCount, coverage[Blood].Rows);

        // The same charts with the completions refitted on the other patients' charts (one patient left out at a time): each input's
        // distribution, then the range's margins (ADR 0015). Shipped, a missing blood count is completed from patients less
        // anaemic than the demo's and its range holds at about half of them, while with every lab missing it holds at
        // nearly all (too wide); refitted, every way of missing that changes at least 50 charts holds 75–90 % (issue 31 item 2).
        var local = recorded.LocalRangeCoverage!.ToDictionary(c => c.Mask, StringComparer.Ordinal);
        Assert.Equal(recorded.RangeCoverage!.Select(c => (c.Mask, c.Rows)), recorded.LocalRangeCoverage!.Select(c => (c.Mask, c.Rows)));
        output.WriteLine("refitted: " + string.Join("; ", recorded.LocalRangeCoverage!.Select(c => $"{c.Mask}: {c.Covered}/{c.Rows}")));
        Assert.True(coverage[Blood].Share < 0.7 && coverage["all labs"].Share > 0.9, "the shipped completions' range misses both ways on these charts");
        Assert.Equal(5, recorded.LocalRangeCoverage!.Count(c => c.Rows >= 50));
        Assert.All(recorded.LocalRangeCoverage!, c => Assert.Equal(recorded.Metrics.Patients, c.Folds));
        Assert.All(recorded.LocalRangeCoverage!.Where(c => c.Rows >= 50), c => Assert.True(c.Share is >= 0.75 and <= 0.90, $"{c.Mask}: {c.Covered}/{c.Rows}"));
        // Each with its interval over resamples of the 52 patients, which holds the share.
        Assert.All(recorded.LocalRangeCoverage!.Where(c => c.Rows >= 50), c => Assert.True(c.Low <= c.Share && c.Share <= c.High && c.Low < c.High, $"{c.Mask}: {c.Share:P0} ({c.Low:P0}–{c.High:P0})"));
    }

    /// <summary>
    /// Issue 31 item 2 on the complication model's real charts (every labelled vital-sign set of an inpatient stay, 65 of
    /// 22 patients): with the completions refitted one patient out at a time, each way of missing inputs holds 75–90 %
    /// but pulse oximetry. Its charts are counted here from the raw NDJSON — the ED's pulse oximetry, the latest in the
    /// 24 h up to the chart — and so are those where it was below 96 %, the abnormal ones the report counts apart: the range
    /// holds every chart at 96 % or more (its estimate is the range's low end) and, of the hypoxic, no more than an 80 %
    /// range should. Its share above 9 in 10 is the normoxic charts' weight, not a range too wide where it matters (ADR 0015).
    /// </summary>
    [Fact]
    public async Task The_complication_range_holds_on_MIMIC_charts_and_over_holds_pulse_oximetry_only_by_holding_every_normoxic_chart()
    {
        var cutoff = mimic.DataEnd;
        var environment = mimic.CliEnvironment(Path.Combine(Repository.Root, "models"));
        var report = Path.Combine(_work.FullName, "complication");
        var (exit, printed) = await CliProcess.RunAsync(environment, "evaluate", "--model", "complication", "--data", "MIMIC-IV demo", "--as-of", cutoff.ToString("O"), "--out", report);
        Assert.True(exit == 0, $"exit {exit}: {printed}");
        var evaluation = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(report, "evaluation.json"))).RootElement
            .GetProperty("evaluation").Deserialize<CardExternalEvaluation>(ModelCard.Json)!;
        var charts = (await mimic.TimelinesAsync()).SelectMany(t => RiskCatalog.Complication.Examples(t, cutoff)).Where(e => e.Label is not null).ToList();
        Assert.Equal(charts.Count, evaluation.Metrics.Rows);
        var local = evaluation.LocalRangeCoverage!.ToDictionary(c => c.Mask, StringComparer.Ordinal);
        output.WriteLine(string.Join("; ", evaluation.LocalRangeCoverage!.Select(c => $"{c.Mask}: {c.Covered}/{c.Rows}, abnormal {c.WhereAbnormal?.Covered}/{c.WhereAbnormal?.Rows}")));

        // The SpO2 each chart was read with, from the raw NDJSON: the latest in the 24 h up to it, not before the day before admission.
        double? SpO2(OutcomeExample chart) => mimic.Raw.EdPulseOximetry
            .Where(o => o.Patient == chart.PatientId && o.At <= chart.Instant && o.At >= chart.Instant.AddHours(-24) && o.At >= chart.Stay.Start!.Value.AddHours(-24))
            .MaxBy(o => o.At)?.Value;
        var spo2 = charts.Select(SpO2).OfType<double>().ToList();
        const string PulseOximetry = "pulse oximetry and oxygen";
        var row = local[PulseOximetry];
        Assert.Equal(spo2.Count, row.Rows);
        Assert.Equal(spo2.Count(v => v < 96), row.WhereAbnormal!.Rows);
        Assert.Equal(row.WhereAbnormal.Rows, evaluation.RangeCoverage!.Single(c => c.Mask == PulseOximetry).WhereAbnormal!.Rows);

        // Six of the seven ways of missing hold 75–90 % (every one of at least 50 charts); conditions have no abnormal count.
        Assert.All(evaluation.LocalRangeCoverage!.Where(c => c.Mask != PulseOximetry), c => Assert.True(c.Rows >= 50 && c.Share is >= 0.75 and <= 0.90, $"{c.Mask}: {c.Covered}/{c.Rows}"));
        Assert.Null(local["conditions"].WhereAbnormal);
        // Pulse oximetry: every normoxic chart held, and of the hypoxic at most 8 in 10 — the misses all above the range.
        Assert.Equal(row.Rows - row.WhereAbnormal.Rows, row.Covered - row.WhereAbnormal.Covered);
        Assert.True(row.WhereAbnormal.Share <= 0.8, $"hypoxic charts held: {row.WhereAbnormal.Covered}/{row.WhereAbnormal.Rows}");
        Assert.Equal(row.WhereAbnormal.Rows - row.WhereAbnormal.Covered, row.WhereAbnormal.Above);

        // The shipped card's MIMIC-IV record is this evaluation.
        var shipped = ModelPackage.Read(Directory.GetDirectories(Path.Combine(Repository.Root, "models", "complication")).Single()).Package!.Card.ExternalEvaluations!;
        Assert.Contains(shipped, e => e.LocalRangeCoverage is { } l && l.SequenceEqual(evaluation.LocalRangeCoverage!) && e.RangeCoverage!.SequenceEqual(evaluation.RangeCoverage!));
    }

    public void Dispose() => _work.Delete(recursive: true);
}
