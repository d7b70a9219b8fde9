using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mediator;

namespace ClinicalCds.Application;

/// <summary>
/// The application's OpenTelemetry instruments (System.Diagnostics: in memory, no I/O; the host decides where they are
/// exported). Tags never carry patient data: services, models, use cases and outcomes only.
/// </summary>
public static class Telemetry
{
    public const string Name = "ClinicalCds";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Seconds from a hook request's arrival to its answer, by service id and HTTP status.</summary>
    public static readonly Histogram<double> HookDuration = Meter.CreateHistogram<double>(
        "clinicalcds.hook.duration", "s", "CDS Hooks service call latency", advice: Buckets);

    /// <summary>CDS Hooks calls refused before they reach a service (401, 429), by reason code and service id.</summary>
    public static readonly Counter<long> HookRefusals = Meter.CreateCounter<long>(
        "clinicalcds.hook.refused", "{call}", "CDS Hooks calls refused by client authentication or rate limits");

    /// <summary>Seconds a model spends on one batch (ONNX prediction and tree explanations), by model.</summary>
    public static readonly Histogram<double> InferenceDuration = Meter.CreateHistogram<double>(
        "clinicalcds.model.inference.duration", "s", "Model inference time per batch", advice: Buckets);

    /// <summary>Resources written to the FHIR store, by type and outcome (created, updated, unchanged).</summary>
    public static readonly Counter<long> IngestedResources = Meter.CreateCounter<long>(
        "clinicalcds.ingest.resources", "{resource}", "FHIR resources written to the store");

    /// <summary>Candidate-model scorings that failed (the active model's answer is unaffected), by model.</summary>
    public static readonly Counter<long> CandidateFailures = Meter.CreateCounter<long>(
        "clinicalcds.model.candidate_failures", "{batch}", "Batches a candidate model could not score beside the active one");

    /// <summary>Seconds each use case (mediator message) takes, by message and outcome.</summary>
    public static readonly Histogram<double> UseCaseDuration = Meter.CreateHistogram<double>(
        "clinicalcds.usecase.duration", "s", "Use case duration", advice: Buckets);

    /// <summary>Seconds a background job runs, by job and outcome.</summary>
    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>(
        "clinicalcds.job.duration", "s", "Background job duration", advice: new() { HistogramBucketBoundaries = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> DriftAlarms = new(StringComparer.Ordinal);

    /// <summary>The features of each model whose inputs raised a drift or data-quality alarm at this process's last check.</summary>
    public static readonly ObservableGauge<int> InputDriftAlarms = Meter.CreateObservableGauge(
        "clinicalcds.model.input_drift_alarms",
        () => DriftAlarms.Select(a => new Measurement<int>(a.Value, new KeyValuePair<string, object?>("model", a.Key))),
        unit: "{feature}",
        description: "Features of the model whose served inputs raised an alarm at the last input-drift check.");

    public static void RecordDriftAlarms(string model, int features) => DriftAlarms[model] = features;

    private static readonly InstrumentAdvice<double> Buckets = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };
}

/// <summary>Every use case as a trace span and a duration measurement, whichever host (API, worker, CLI) sends it.</summary>
public sealed class TelemetryBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly string UseCase = typeof(TMessage).Name;

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity(UseCase);
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await next(message, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        catch (Exception e)
        {
            outcome = "error";
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            Telemetry.UseCaseDuration.Record(
                Stopwatch.GetElapsedTime(started).TotalSeconds, new("usecase", UseCase), new("outcome", outcome));
        }
    }
}
