using ClinicalCds.Application.Monitoring.MonitorOutcomes;
using ClinicalCds.Infrastructure.Validation;
using ClinicalCds.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Parquet;

namespace ClinicalCds.IntegrationTests.Monitoring;

/// <summary>Issue 22 item 7: `clinicalcds export-validation` writes what seismometer reads; the files are read back with a Parquet reader.</summary>
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

        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ClinicalCds"] = fixture.Database.ConnectionString,
            ["Models__Root"] = Path.Combine(Repository.Root, "models"),
            ["Scoring__AsOf"] = fixture.AsOf.ToString("O"),
        };
        var (exit, output) = await CliProcess.RunAsync(environment, "export-validation", "--model", "readmission", "--out", _out.FullName);
        Assert.True(exit == 0, output);

        // The monitoring labels the same targets by the same rule: as many predictions, as many events as positives.
        await using var scope = fixture.Services.CreateAsyncScope();
        var monitoring = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new MonitorOutcomesCommand(fixture.AsOf));
        var readmission = monitoring.Periods.Where(p => p.Model == "readmission").ToList();

        var (predictionColumns, predictionRows) = await ReadAsync(SeismometerFiles.Predictions);
        Assert.Equal(["Age", "EncounterId", "Ethnicity", "Id", "Model", "Race", "Score", "ScoringTime", "Sex", "Tier"], predictionColumns.Order());
        Assert.Equal(readmission.Sum(p => p.Metrics.Rows), predictionRows);
        Assert.True(predictionRows > 20, $"{predictionRows} predictions");

        var (eventColumns, eventRows) = await ReadAsync(SeismometerFiles.Events);
        Assert.Equal(["EncounterId", "EventTime", "Id", "Type", "Value"], eventColumns.Order());
        Assert.Equal(readmission.Sum(p => p.Metrics.Positives), eventRows);

        // The usage configuration names those columns and the target event with its 30-day window.
        var usage = await File.ReadAllTextAsync(Path.Combine(_out.FullName, SeismometerFiles.UsageConfig));
        foreach (var line in new[] { "entity_id: Id", "context_id: EncounterId", "primary_output: Score", "predict_time: ScoringTime", "primary_target: ReadmissionEvent", "window_hr: 720" })
        {
            Assert.Contains(line, usage, StringComparison.Ordinal);
        }

        Assert.Contains("prediction_path: \"predictions.parquet\"", await File.ReadAllTextAsync(Path.Combine(_out.FullName, SeismometerFiles.Config)), StringComparison.Ordinal);
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
