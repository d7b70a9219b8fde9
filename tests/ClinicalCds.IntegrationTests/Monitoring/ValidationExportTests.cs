using ClinicalCds.Application.Monitoring;
using ClinicalCds.Application.Monitoring.MonitorOutcomes;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Infrastructure.Validation;
using ClinicalCds.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Parquet;

namespace ClinicalCds.IntegrationTests.Monitoring;

/// <summary>Issues 22 item 7 and 32 item 6: `clinicalcds export-validation` writes what seismometer reads, checked against seismometer's own loading and merge (<see cref="SeismometerReplay"/>).</summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class ValidationExportTests(ScoringServerFixture fixture) : IDisposable
{
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("clinicalcds-seismometer-");

    [Fact]
    public async Task The_export_holds_every_labelled_served_target_once_and_each_outcome_as_an_event_in_seismometer_layout()
    {
        foreach (var daysBefore in Enumerable.Range(0, 6).Select(k => 175 - (25 * k)))
        {
            await fixture.ScoreAsync("last-12-months", "readmission", fixture.AsOf.AddDays(-daysBefore));
        }

        var (exit, output) = await CliProcess.RunAsync(fixture.CliEnvironment(), "export-validation", "--model", "readmission", "--out", _out.FullName);
        Assert.True(exit == 0, output);

        // The monitoring labels the same targets by the same rule (its lag rule included): the active version's rows.
        await using var scope = fixture.Services.CreateAsyncScope();
        var monitoring = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new MonitorOutcomesCommand(fixture.AsOf));
        var active = Repository.ShippedModel("readmission");
        var readmission = monitoring.Periods.Where(p => p.Model == "readmission" && p.Method == active).ToList();

        var (predictionColumns, predictionRows) = await ReadAsync(SeismometerFiles.Predictions);
        Assert.Equal(["Age", "EncounterId", "Ethnicity", "Id", "Model", "Race", "Score", "ScoringTime", "Sex", "Tier"], predictionColumns.Order());
        Assert.Equal(readmission.Sum(p => p.Metrics.Rows), predictionRows);
        Assert.True(predictionRows > 20, $"{predictionRows} predictions");

        var (eventColumns, eventRows) = await ReadAsync(SeismometerFiles.Events);
        Assert.Equal(["EncounterId", "EventTime", "Id", "Type", "Value"], eventColumns.Order());
        Assert.Equal(readmission.Sum(p => p.Metrics.Positives), eventRows);

        // Issue 32 item 6: seismometer, reproduced from its own code, loads the folder as written and labels every
        // prediction as the monitoring does — none dropped as a duplicate, the target found by its display name, the
        // event within 30 days after the discharge merged forward, each entity's scores combined by aggregation_method.
        var replay = await SeismometerReplay.LoadAsync(_out.FullName);
        Assert.Equal("Unplanned inpatient readmission within 30 days of discharge", replay.Target);
        Assert.Equal(["ReadmissionEvent"], replay.TargetSources);
        Assert.Equal((720.0, "forward", "max"), (replay.WindowHours, replay.MergeStrategy, replay.AggregationMethod));
        var card = scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Abstractions.IRiskModels>().Find("readmission")!.Card;
        Assert.Equal([card.Tiers.High, card.Tiers.Moderate], replay.Thresholds);
        Assert.Equal(active, replay.ModelName);
        var merged = replay.Merged();
        Assert.Equal(predictionRows, merged.Count);
        Assert.All(merged, m => Assert.Equal(active, m.Prediction.Model));
        var labels = (await scope.ServiceProvider.GetRequiredService<ServedOutcomes>().LabelAsync(RiskCatalog.Readmission, fixture.AsOf, default))
            .Where(o => o.Score.Method == active && !o.Score.Shadow)
            .ToDictionary(o => (o.Score.PatientId, o.Score.EncounterId, o.Score.Instant.UtcDateTime), o => o.Outcome.Label == true ? 1.0 : 0.0);
        Assert.All(merged, m => Assert.Equal(labels[(m.Prediction.Entity, m.Prediction.Context, m.Prediction.Time)], m.Label));
        Assert.Equal(eventRows, merged.Count(m => m.Label == 1));

        Assert.Contains("prediction_path: \"predictions.parquet\"", await File.ReadAllTextAsync(Path.Combine(_out.FullName, SeismometerFiles.Config)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_with_nothing_to_validate_says_why_writes_nothing_and_fails()
    {
        var folder = Path.Combine(_out.FullName, "empty");
        var environment = new Dictionary<string, string>(fixture.CliEnvironment()) { ["Scoring__AsOf"] = fixture.AsOf.AddYears(-3).ToString("O") };
        var (exit, output) = await CliProcess.RunAsync(environment, "export-validation", "--model", "readmission", "--out", folder);
        Assert.Equal(1, exit);
        Assert.Contains($"nothing to export: no score of {Repository.ShippedModel("readmission")} has an outcome window closed by", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    private async Task<(List<string> Columns, long Rows)> ReadAsync(string file)
    {
        await using var stream = File.OpenRead(Path.Combine(_out.FullName, file));
        await using var reader = await ParquetReader.CreateAsync(stream);
        long rows = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            rows += group.RowCount;
        }

        return ([.. reader.Schema.GetDataFields().Select(f => f.Name)], rows);
    }

    public void Dispose() => _out.Delete(recursive: true);
}
