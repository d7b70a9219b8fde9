using System.Text.Json;
using Parquet;
using YamlDotNet.RepresentationModel;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>
/// What Epic's seismometer does with an export folder, reproduced from its own code at commit
/// fbbb33e0f691f4531dd29d3dc43fe7ad59756ece (github.com/epic-open-source/seismometer; issue 32 item 6), written here
/// from that code and not from ours:
/// <list type="bullet">
/// <item><c>configuration/config.py</c> reads <c>other_info</c> from config.yml and <c>data_usage</c> from the usage
/// configuration into the pydantic models of <c>configuration/model.py</c>, which ignore keys they do not know — so an
/// unknown key here is a setting seismometer never sees, and is refused.</item>
/// <item><c>seismogram.py</c> <c>_load_metadata</c> reads <c>thresholds</c> (a list) and <c>modelname</c> from
/// metadata.json in <c>data_dir</c>.</item>
/// <item><c>data/loader/event.py</c> <c>merge_onto_predictions</c>: predictions sorted by prediction time (stable),
/// duplicates of (entity, context, prediction time) dropped keeping the first, rows without a time dropped; event rows
/// whose type is one of an event's sources relabelled with its display name; then <c>pandas_helpers.merge_windowed_event</c>:
/// with <c>merge_strategy: forward</c>, <c>pd.merge_asof(direction="forward", by=[entity, context])</c> takes each
/// prediction's first event at or after it; an event more than <c>window_hr</c> after the prediction (offset 0) is
/// cleared; a prediction without an event is labelled 0, one with an event time but no value 1. The target analysed is
/// the event whose display name is <c>primary_target</c> (<c>config.target</c>; its column <c>{display}_Value</c>).</item>
/// </list>
/// </summary>
public sealed class SeismometerReplay
{
    // The fields of seismometer's pydantic models at that commit (configuration/model.py).
    private static readonly string[] OtherInfoFields =
        ["template", "info_dir", "event_definition", "prediction_definition", "usage_config", "automation_config", "data_dir", "prediction_path", "event_path", "metadata_path"];

    private static readonly string[] DataUsageFields =
        ["entity_id", "context_id", "primary_output", "primary_target", "predict_time", "comparison_time", "event_table", "outputs", "cohorts", "features", "events", "cohort_hierarchies", "metrics", "load_time_filters", "censor_min_count"];

    private static readonly string[] EventFields = ["type", "group_keys", "source", "display_name", "window_hr", "offset_hr", "impute_val", "usage", "aggregation_method", "merge_strategy"];

    private static readonly string[] CohortFields = ["source", "display_name", "splits"];

    private static readonly string[] EventTableFields = ["type", "time", "value"];

    private static readonly string[] AggregationStrategies = ["min", "max", "first", "last"];

    private static readonly string[] MergeStrategies = ["first", "last", "nearest", "forward", "count"];

    public sealed record Prediction(string Entity, string Context, DateTime Time, double Score, string? Model);

    public sealed record EventRow(string Entity, string Context, string Type, DateTime Time, double? Value);

    public sealed record Labelled(Prediction Prediction, double Label, DateTime? EventTime);

    public required IReadOnlyList<Prediction> Predictions { get; init; }

    public required IReadOnlyList<EventRow> Events { get; init; }

    public required string Target { get; init; }

    public required IReadOnlyList<string> TargetSources { get; init; }

    public required double WindowHours { get; init; }

    public required string MergeStrategy { get; init; }

    public required string AggregationMethod { get; init; }

    public required IReadOnlyList<double> Thresholds { get; init; }

    public required string ModelName { get; init; }

    /// <summary>Reads the folder as seismometer would; throws when seismometer would not see what the files say.</summary>
    public static async Task<SeismometerReplay> LoadAsync(string folder)
    {
        var other = Mapping(await LoadYamlAsync(Path.Combine(folder, "config.yml")), "other_info");
        KnownOnly(other, OtherInfoFields, "other_info");
        var dataDir = Path.Combine(folder, Text(other, "data_dir") ?? ".");
        var usage = Mapping(await LoadYamlAsync(Path.Combine(folder, Text(other, "usage_config") ?? throw new InvalidDataException("no usage_config"))), "data_usage");
        KnownOnly(usage, DataUsageFields, "data_usage");
        var table = usage.Children.TryGetValue(new YamlScalarNode("event_table"), out var t) ? (YamlMappingNode)t : new YamlMappingNode();
        KnownOnly(table, EventTableFields, "event_table");
        foreach (var cohort in Sequence(usage, "cohorts").Cast<YamlMappingNode>())
        {
            KnownOnly(cohort, CohortFields, "a cohort");
        }

        var events = Sequence(usage, "events").Cast<YamlMappingNode>().ToList();
        foreach (var e in events)
        {
            KnownOnly(e, EventFields, "an event");
        }

        // config.target is primary_target: the display name of an event (events merge under their display names).
        var target = Text(usage, "primary_target") ?? "Target";
        var targetEvent = events.SingleOrDefault(e => (Text(e, "display_name") ?? SourcesOf(e).Single()) == target)
            ?? throw new InvalidDataException($"primary_target '{target}' is no event's display name: seismometer finds no {target}_Value column");
        var aggregation = Text(targetEvent, "aggregation_method") ?? "max";
        var merge = Text(targetEvent, "merge_strategy") ?? "forward";
        if (!AggregationStrategies.Contains(aggregation) || !MergeStrategies.Contains(merge))
        {
            throw new InvalidDataException($"aggregation_method '{aggregation}' or merge_strategy '{merge}' is not one seismometer knows");
        }

        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dataDir, Text(other, "metadata_path") ?? "metadata.json")));
        var (entity, context, time, output) = (Text(usage, "entity_id") ?? "Id", Text(usage, "context_id"), Text(usage, "predict_time") ?? "Time", Text(usage, "primary_output") ?? "Score");
        var predictions = await ColumnsAsync(Path.Combine(dataDir, Text(other, "prediction_path") ?? "scores.parquet"));
        var eventColumns = await ColumnsAsync(Path.Combine(dataDir, Text(other, "event_path") ?? "events.parquet"));
        var (type, eventTime, value) = (Text(table, "type") ?? "Type", Text(table, "time") ?? "EventTime", Text(table, "value") ?? "Value");
        return new SeismometerReplay
        {
            Predictions = [.. Enumerable.Range(0, predictions[entity].Length).Select(i => new Prediction(
                Str(predictions[entity].GetValue(i))!, context is null ? string.Empty : Str(predictions[context].GetValue(i))!,
                Time(predictions[time].GetValue(i)), Convert.ToDouble(predictions[output].GetValue(i), System.Globalization.CultureInfo.InvariantCulture),
                predictions.TryGetValue("Model", out var model) ? Str(model.GetValue(i)) : null))],
            Events = [.. Enumerable.Range(0, eventColumns.Count == 0 ? 0 : eventColumns[entity].Length).Select(i => new EventRow(
                Str(eventColumns[entity].GetValue(i))!, context is null ? string.Empty : Str(eventColumns[context].GetValue(i))!,
                Str(eventColumns[type].GetValue(i))!, Time(eventColumns[eventTime].GetValue(i)),
                eventColumns[value].GetValue(i) is { } v ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : null))],
            Target = target,
            TargetSources = SourcesOf(targetEvent),
            WindowHours = Text(targetEvent, "window_hr") is { } w ? double.Parse(w, System.Globalization.CultureInfo.InvariantCulture) : double.PositiveInfinity,
            MergeStrategy = merge,
            AggregationMethod = aggregation,
            Thresholds = [.. metadata.RootElement.GetProperty("thresholds").EnumerateArray().Select(x => x.GetDouble())],
            ModelName = metadata.RootElement.GetProperty("modelname").GetString()!,
        };
    }

    /// <summary>The predictions seismometer keeps, each with the target's label and event time (forward merge only).</summary>
    public IReadOnlyList<Labelled> Merged()
    {
        if (MergeStrategy != "forward")
        {
            throw new NotSupportedException($"the replay reproduces the forward merge, not '{MergeStrategy}'");
        }

        var kept = Predictions.OrderBy(p => p.Time) // mergesort: stable
            .DistinctBy(p => (p.Entity, p.Context, p.Time)).ToList();
        var byKeys = Events.Where(e => TargetSources.Contains(e.Type)).ToLookup(e => (e.Entity, e.Context));
        return [.. kept.Select(p =>
        {
            var first = byKeys[(p.Entity, p.Context)].Where(e => e.Time >= p.Time).OrderBy(e => e.Time).FirstOrDefault();
            if (first is null || (first.Time - p.Time).TotalHours > WindowHours)
            {
                return new Labelled(p, 0, null);
            }

            return new Labelled(p, first.Value ?? 1, first.Time);
        })];
    }

    private static string? Str(object? value) => value switch
    {
        null => null,
        string text => text,
        ReadOnlyMemory<char> memory => memory.ToString(),
        ReadOnlyMemory<byte> bytes => System.Text.Encoding.UTF8.GetString(bytes.Span),
        _ => throw new InvalidDataException($"a text column holds {value.GetType().Name}"),
    };

    private static DateTime Time(object? value) => value switch
    {
        DateTime d => d,
        DateTimeOffset o => o.UtcDateTime,
        _ => throw new InvalidDataException($"a time column holds {value?.GetType().Name ?? "null"}"),
    };

    private static async Task<YamlMappingNode> LoadYamlAsync(string path)
    {
        var yaml = new YamlStream();
        using var reader = new StringReader(await File.ReadAllTextAsync(path));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode Mapping(YamlMappingNode root, string key) =>
        root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? (YamlMappingNode)node : throw new InvalidDataException($"no top-level '{key}'");

    private static IEnumerable<YamlNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (YamlSequenceNode)value : [];

    private static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static List<string> SourcesOf(YamlMappingNode e) =>
        e.Children[new YamlScalarNode("source")] is YamlSequenceNode list ? [.. list.Cast<YamlScalarNode>().Select(s => s.Value!)] : [Text(e, "source")!];

    private static void KnownOnly(YamlMappingNode node, string[] fields, string what)
    {
        var unknown = node.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).Where(k => !fields.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"{what} holds {string.Join(", ", unknown)}, which seismometer ignores");
        }
    }

    private static async Task<Dictionary<string, Array>> ColumnsAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        var untyped = await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(stream);
        return untyped.Schema.GetDataFields().ToDictionary(
            f => f.Name, f => (Array)untyped.Data.Select(row => row.TryGetValue(f.Name, out var v) ? v : null).ToArray());
    }
}
