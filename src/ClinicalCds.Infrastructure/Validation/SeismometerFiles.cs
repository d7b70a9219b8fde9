using System.Globalization;
using System.Text;
using System.Text.Json;
using ClinicalCds.Application.Monitoring.ExportValidation;
using Parquet.Serialization;

namespace ClinicalCds.Infrastructure.Validation;

/// <summary>A row of predictions.parquet.</summary>
public sealed class SeismometerPrediction
{
    public string Id { get; set; } = string.Empty;
    public string EncounterId { get; set; } = string.Empty;
    public DateTime ScoringTime { get; set; }
    public double Score { get; set; }
    public string Model { get; set; } = string.Empty;
    public string? Tier { get; set; }
    public int? Age { get; set; }
    public string? Sex { get; set; }
    public string? Race { get; set; }
    public string? Ethnicity { get; set; }
}

/// <summary>A row of events.parquet.</summary>
public sealed class SeismometerEvent
{
    public string Id { get; set; } = string.Empty;
    public string EncounterId { get; set; } = string.Empty;
    public string Type { get; set; } = string.Empty;
    public DateTime EventTime { get; set; }
    public double Value { get; set; }
}

/// <summary>
/// The files Epic's open-source seismometer (github.com/epic-open-source/seismometer) reads for a binary classifier:
/// <c>predictions.parquet</c> (entity <c>Id</c> = patient, context <c>EncounterId</c> = the stay, <c>ScoringTime</c>,
/// <c>Score</c>, cohort columns), <c>events.parquet</c> (<c>Id</c>, <c>EncounterId</c>, <c>Type</c>, <c>EventTime</c>,
/// <c>Value</c>), <c>usage_config.yml</c> naming those columns and the target event with its window,
/// <c>metadata.json</c> (the model's name and its tiers as thresholds) and <c>config.yml</c> pointing at the files. Times
/// are UTC. Checked against seismometer's own configuration model and event merge at commit
/// fbbb33e0f691f4531dd29d3dc43fe7ad59756ece (src/seismometer/configuration/model.py, data/loader/event.py,
/// data/pandas_helpers.py, seismogram.py): events are merged by their display name — <c>primary_target</c> names the
/// display, not the source type — each prediction takes the first event at or after it within <c>window_hr</c>
/// (<c>merge_strategy: forward</c>), and an entity's scores are combined by <c>aggregation_method</c>.
/// </summary>
public static class SeismometerFiles
{
    public const string Predictions = "predictions.parquet";
    public const string Events = "events.parquet";
    public const string UsageConfig = "usage_config.yml";
    public const string Config = "config.yml";
    public const string Metadata = "metadata.json";

    public static async Task WriteAsync(ValidationExport export, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await using (var predictions = File.Create(Path.Combine(folder, Predictions)))
        {
            await ParquetSerializer.SerializeAsync(export.Predictions.Select(p => new SeismometerPrediction
            {
                Id = p.PatientId, EncounterId = p.EncounterId, ScoringTime = p.ScoringTime.UtcDateTime, Score = p.Score, Model = p.Method,
                Tier = p.Tier, Age = p.Age, Sex = p.Sex, Race = p.Race, Ethnicity = p.Ethnicity,
            }), predictions, cancellationToken: cancellationToken);
        }

        await using (var events = File.Create(Path.Combine(folder, Events)))
        {
            await ParquetSerializer.SerializeAsync(export.Events.Select(e => new SeismometerEvent
            {
                Id = e.PatientId, EncounterId = e.EncounterId, Type = e.Type, EventTime = e.Time.UtcDateTime, Value = e.Value,
            }), events, cancellationToken: cancellationToken);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, UsageConfig), Usage(export), new UTF8Encoding(false), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, Config), Other(), new UTF8Encoding(false), cancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(folder, Metadata),
            JsonSerializer.Serialize(new Dictionary<string, object> { ["modelname"] = export.Method ?? export.Model, ["thresholds"] = export.Thresholds }),
            new UTF8Encoding(false), cancellationToken);
    }

    private static string Usage(ValidationExport export) => string.Create(CultureInfo.InvariantCulture, $"""
        # seismometer usage configuration written by `clinicalcds export-validation --model {export.Model}` ({export.Method})
        data_usage:
          entity_id: Id
          context_id: EncounterId
          primary_output: Score
          primary_target: {Quoted(export.EventDisplay)}
          predict_time: ScoringTime
          cohorts:
            - source: Age
              splits: [18, 45, 65, 80]
            - source: Sex
            - source: Race
            - source: Ethnicity
            - source: Tier
          event_table:
            type: Type
            time: EventTime
            value: Value
          events:
            - source: {export.EventName}
              display_name: {Quoted(export.EventDisplay)}
              window_hr: {export.Window.TotalHours:0}
              offset_hr: 0
              usage: target
              aggregation_method: max
              merge_strategy: forward
          censor_min_count: 10

        """);

    /// <summary>A YAML double-quoted scalar (JSON's string escapes are YAML's).</summary>
    private static string Quoted(string text) => JsonSerializer.Serialize(text);

    private static string Other() => $"""
        other_info:
          template: "binary"
          usage_config: "{UsageConfig}"
          info_dir: "outputs"
          data_dir: "."
          event_path: "{Events}"
          prediction_path: "{Predictions}"
          metadata_path: "{Metadata}"

        """;
}
