using System.Globalization;
using System.Text;
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
/// <c>Value</c>), <c>usage_config.yml</c> naming those columns and the target event with its window, and
/// <c>config.yml</c> pointing at the files. Times are UTC.
/// </summary>
public static class SeismometerFiles
{
    public const string Predictions = "predictions.parquet";
    public const string Events = "events.parquet";
    public const string UsageConfig = "usage_config.yml";
    public const string Config = "config.yml";

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
    }

    private static string Usage(ValidationExport export) => string.Create(CultureInfo.InvariantCulture, $"""
        # seismometer usage configuration written by `clinicalcds export-validation --model {export.Model}`
        data_usage:
          entity_id: Id
          context_id: EncounterId
          primary_output: Score
          primary_target: {export.EventName}
          predict_time: ScoringTime
          cohorts:
            - source: Age
              splits: [18, 45, 65, 80]
            - source: Sex
            - source: Race
            - source: Ethnicity
            - source: Model
              display_name: Model version
          event_table:
            type: Type
            time: EventTime
            value: Value
          events:
            - source: {export.EventName}
              display_name: "{export.EventDisplay}"
              window_hr: {export.Window.TotalHours:0}
              offset_hr: 0
              usage: target
              combine_strategy: max
          censor_min_count: 10

        """);

    private static string Other() => $"""
        other_info:
          template: "binary"
          usage_config: "{UsageConfig}"
          info_dir: "outputs"
          data_dir: "."
          event_path: "{Events}"
          prediction_path: "{Predictions}"

        """;
}
