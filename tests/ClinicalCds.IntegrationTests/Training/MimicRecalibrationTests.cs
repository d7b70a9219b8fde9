using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Infrastructure.Models;
using ClinicalCds.IntegrationTests.Features;
using ClinicalCds.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace ClinicalCds.IntegrationTests.Training;

/// <summary>
/// Issue 32 item 1 on real data: `clinicalcds recalibrate` refits the shipped readmission model's calibration on the
/// MIMIC-IV demo's outcomes and writes it as a new, sealed version that enters as the candidate — and says that 17 events
/// cannot validate it.
/// </summary>
[Collection(MimicStoreFixture.Collection)]
public sealed class MimicRecalibrationTests(MimicStoreFixture mimic, ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("clinicalcds-recalibrate-");

    [Fact]
    public async Task The_readmission_model_is_recalibrated_on_MIMIC_outcomes_into_a_candidate_whose_card_says_how_little_17_events_establish()
    {
        var models = Path.Combine(_work.FullName, "models");
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "models"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(models, Path.GetRelativePath(Path.Combine(Repository.Root, "models"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var cutoff = mimic.DataEnd;
        var environment = mimic.CliEnvironment(models);
        string[] Arguments(params string[] more) =>
            ["recalibrate", "--model", "readmission", "--data", "MIMIC-IV demo", "--as-of", cutoff.ToString("O"), .. more];

        // An isotonic map is refused on 17 events, saying why, and writes nothing.
        var (isotonic, why) = await CliProcess.RunAsync(environment, Arguments("--version", "9.1.0", "--method", "isotonic"));
        Assert.Equal(1, isotonic);
        Assert.Contains("17 events and", why, StringComparison.Ordinal);
        Assert.Contains("an isotonic map needs at least 200 of each", why, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(models, "readmission", "9.1.0")));
        var (unknown, _) = await CliProcess.RunAsync(environment, Arguments("--version", "9.1.0", "--method", "spline"));
        Assert.NotEqual(0, unknown);

        var (exit, printed) = await CliProcess.RunAsync(environment, Arguments("--version", "9.1.0"));
        Assert.True(exit == 0, $"exit {exit}: {printed}");
        output.WriteLine(printed);
        Assert.Contains("Only 17 events: at least 100 are needed", printed, StringComparison.Ordinal);
        Assert.Contains("it is the candidate, scored in shadow", printed, StringComparison.Ordinal);

        // A new version beside the shipped one, sealed, with the same trees and ONNX graph and a new calibration.
        var shippedVersion = Repository.ShippedVersion("readmission");
        var shipped = ModelPackage.Read(Path.Combine(models, "readmission", shippedVersion)).Package!;
        var (package, error) = ModelPackage.Read(Path.Combine(models, "readmission", "9.1.0"));
        Assert.True(package is not null, error);
        Assert.Equal(shipped.Onnx, package.Onnx);
        Assert.Equal(File.ReadAllBytes(Path.Combine(models, "readmission", shippedVersion, ModelPackage.TreesFile)), File.ReadAllBytes(Path.Combine(models, "readmission", "9.1.0", ModelPackage.TreesFile)));
        Assert.NotEqual(shipped.Card.Calibration.Intercept, package.Card.Calibration.Intercept);
        Assert.True(File.Exists(Path.Combine(models, "readmission", "9.1.0", "recalibration.md")));

        // Its provenance: every labelled index discharge, as the evaluation counts them.
        var record = package.Card.Recalibration!;
        var labels = (await mimic.TimelinesAsync()).SelectMany(t => RiskCatalog.Readmission.Examples(t, cutoff)).Where(e => e.Label is not null).ToList();
        Assert.Equal((shippedVersion, "MIMIC-IV demo", "logistic"), (record.FromVersion, record.Data, record.Method));
        Assert.Equal((labels.Count, labels.Count(e => e.Label == true), labels.Select(e => e.PatientId).Distinct().Count()), (record.Rows, record.Events, record.Patients));
        Assert.Equal(17, record.Events);
        // Before: what `evaluate` recorded for the shipped version on the same data; after: the same ranking.
        var evaluated = shipped.Card.ExternalEvaluations!.Single(e => e.Data.StartsWith("MIMIC-IV", StringComparison.Ordinal)).Metrics;
        Assert.Equal((evaluated.Auroc, evaluated.CalibrationInTheLarge), (record.Before.Auroc, record.Before.CalibrationInTheLarge));
        Assert.Equal(record.Before.Auroc.Value, record.After.Auroc.Value, 12);
        Assert.NotNull(record.CrossValidated);
        Assert.Null(package.Card.ExternalEvaluations);

        // The fit is the maximum-likelihood logistic map of the trees' raw score: its score equations, computed here, vanish.
        var rows = new List<DatasetRow>();
        await using (var scope = mimic.Api.Services.CreateAsyncScope())
        {
            await foreach (var row in scope.ServiceProvider.GetRequiredService<IMediator>().CreateStream(new BuildDatasetQuery(RiskCatalog.Readmission, cutoff, 0)))
            {
                if (row.Label is not null)
                {
                    rows.Add(row);
                }
            }
        }

        using var model = OnnxModelRegistry.Load(Path.Combine(models, "readmission", shippedVersion)).Model!;
        var raw = ModelInference.RawScores([.. rows.Select(r => r.Features.Values)], ModelInference.References(model.Card), model.Trees, model.RawScores, model.Dependence);
        var (a, b) = (package.Card.Calibration.Intercept, package.Card.Calibration.Slope);
        var residuals = rows.Select((r, i) => (r.Label == true ? 1 : 0) - (1 / (1 + Math.Exp(-(a + (b * raw[i])))))).ToList();
        Assert.InRange(residuals.Sum(), -1e-6, 1e-6);
        Assert.InRange(residuals.Select((e, i) => e * raw[i]).Sum(), -1e-4, 1e-4);
        // In sample, calibrated by construction.
        Assert.InRange(record.After.CalibrationInTheLarge.Value, -0.01, 0.01);
        Assert.InRange(record.After.CalibrationSlope.Value, 0.99, 1.01);

        // It enters as the candidate: scored in shadow, not served.
        using (var registry = new OnnxModelRegistry(models, NullLogger<OnnxModelRegistry>.Instance))
        {
            Assert.Equal(shippedVersion, registry.Find("readmission")!.Card.Version);
            Assert.Equal("9.1.0", registry.Candidate("readmission")!.Card.Version);
        }

        // A version is never overwritten.
        var (again, refused) = await CliProcess.RunAsync(environment, Arguments("--version", "9.1.0"));
        Assert.Equal(2, again);
        Assert.Contains("exists: a version is never overwritten", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_local_completions_each_inputs_distribution_is_refitted_on_the_hospitals_charts_and_the_stated_range_measured_across_patient_folds()
    {
        var models = Path.Combine(_work.FullName, "models");
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "models", "readmission"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(models, "readmission", Path.GetRelativePath(Path.Combine(Repository.Root, "models", "readmission"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var cutoff = mimic.Raw.Admissions.Where(a => a.End is not null).Max(a => a.End!.Value.Instant);
        var environment = mimic.CliEnvironment(models);
        var (exit, printed) = await CliProcess.RunAsync(
            environment, "recalibrate", "--model", "readmission", "--data", "MIMIC-IV demo", "--as-of", cutoff.ToString("O"), "--version", "9.2.0", "--completions", "local");
        Assert.True(exit == 0, $"exit {exit}: {printed}");
        output.WriteLine(printed);

        var shippedVersion = Repository.ShippedVersion("readmission");
        var shipped = ModelPackage.Read(Path.Combine(models, "readmission", shippedVersion)).Package!;
        var (package, error) = ModelPackage.Read(Path.Combine(models, "readmission", "9.2.0"));
        Assert.True(package is not null, error);
        Assert.Equal("local", package.Card.Recalibration!.Completions);
        Assert.Contains("refitted on MIMIC-IV demo", package.Card.MissingInputs, StringComparison.Ordinal);
        // How the inputs move together is kept; what each one's values are is the hospital's.
        Assert.Equal(shipped.Dependence!.Correlation, package.Dependence!.Correlation);

        // Hemoglobin at the MIMIC-IV discharges, read from the raw NDJSON (lab item 51222, the latest from 24 h before
        // admission up to the discharge): the refitted distribution is theirs, not the synthetic population's.
        var hemoglobin = mimic.Raw.IndexDischarges().Where(a => a.End!.Value.Instant <= cutoff)
            .Select(a => mimic.Raw.LatestAtDischarge(a, "51222")).Where(l => l.Count > 0).Select(l => l[0].Value).Order().ToList();
        var j = package.Card.Features.ToList().FindIndex(f => f.Name == "HemoglobinGdl");
        double Median(IReadOnlyList<double> sorted) => sorted[sorted.Count / 2];
        output.WriteLine($"hemoglobin at {hemoglobin.Count} MIMIC discharges: median {Median(hemoglobin):F1} g/dL; refitted {Median(package.Dependence.Quantiles[j]):F1}, shipped {Median(shipped.Dependence.Quantiles[j]):F1}");
        Assert.True(hemoglobin.Count >= InputDependence.MinLocalValues);
        Assert.InRange(Median(package.Dependence.Quantiles[j]), Median(hemoglobin) - 0.3, Median(hemoglobin) + 0.3);
        Assert.True(Median(shipped.Dependence.Quantiles[j]) > Median(hemoglobin) + 1, "the synthetic population is less anaemic than the demo's discharges");

        // The range's margins were fitted on these charts (ADR 0015): one per combination of the model's input panels, each
        // within bounds; a discharge missing its blood count is stated the range the margin moves it to.
        var margins = package.Dependence.Margins;
        Assert.NotNull(margins);
        Assert.Null(shipped.Dependence.Margins);
        Assert.Equal(RangeCalibration.PanelsOf(package.Card).Select(p => p.Name), margins.Panels.Select(p => p.Name));
        Assert.Equal((1 << margins.Panels.Count) - 1, margins.Margins.Count);
        Assert.All(margins.Margins, m => Assert.True(m.Patients >= RangeMargins.MinPatients && Math.Abs(m.LogOdds) <= RangeMargins.MaxMargin));
        using var served = OnnxModelRegistry.Load(Path.Combine(models, "readmission", "9.2.0")).Model!;
        var names = package.Card.Features.Select(f => f.Name).ToList();
        double?[] values = [.. package.Dependence.Quantiles.Select(q => q.Length == 0 ? (double?)null : q[q.Length / 2])];
        values[names.IndexOf("HemoglobinGdl")] = values[names.IndexOf("WhiteBloodCellsPerNl")] = null;
        var chart = new FeatureVector(package.Card.FeatureCatalogVersion, values);
        var unmoved = new RangeCoverage.CompletedWith(served, package.Dependence with { Margins = null }).PlausibleRanges([chart])[0];
        var stated = served.PlausibleRanges([chart])[0];
        var margin = margins.For(MissingInputs.AsModelInput(values))!;
        output.WriteLine($"blood count missing: completed {unmoved.Low:P1}–{unmoved.High:P1}, stated {stated.Low:P1}–{stated.High:P1} (margin {margin.LogOdds:F2} log-odds)");
        Assert.Equal(margins.Apply(MissingInputs.AsModelInput(values), unmoved.Probability, unmoved.Low, unmoved.High), (stated.Low, stated.High));
        // The card's assessment states the same range (what the tier and "insufficient data" are judged on).
        var assessed = served.Assess([chart])[0];
        Assert.Equal((stated.Low, stated.High), (assessed.PlausibleLow, assessed.PlausibleHigh));

        // The report measures the stated range with the refitted completions across patient folds, beside the shipped ones:
        // with the MIMIC-IV demo's few charts, one patient left out at a time (each fit on all the others, as served) — a
        // fold for each patient with an index discharge by the cutoff, counted from the raw NDJSON (labelled or not: the
        // range needs no outcome).
        var report = await File.ReadAllTextAsync(Path.Combine(models, "readmission", "9.2.0", "recalibration.md"));
        var patients = mimic.Raw.IndexDischarges().Where(a => a.End!.Value.Instant <= cutoff).Select(a => a.Patient).Distinct().Count();
        Assert.Contains($"cross-validated over {patients} patient folds (one a patient when the charts are few)", report, StringComparison.Ordinal);
        Assert.Contains("| blood count (hemoglobin, white cells) |", report, StringComparison.Ordinal);
        // And the margins it fitted, each combination measured on its own charts with its patients.
        var own = margins.Margins.Where(m => m.Extra == 0).ToList();
        Assert.NotEmpty(own);
        Assert.Contains($"{own.Count} of {margins.Margins.Count} combinations of panels missing entirely", report, StringComparison.Ordinal);
        Assert.All(own, m => Assert.Contains($"| {string.Join(", ", m.Panels.Select(p => margins.Panels[p].Name))} | {m.Patients} |", report, StringComparison.Ordinal));
    }

    public void Dispose() => _work.Delete(recursive: true);
}
