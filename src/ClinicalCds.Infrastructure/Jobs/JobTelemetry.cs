using System.Diagnostics;
using System.Diagnostics.Metrics;
using ClinicalCds.Application;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClinicalCds.Infrastructure.Jobs;

/// <summary>Every background job's duration and outcome (<see cref="Telemetry.JobDuration"/>), measured by Hangfire's server.</summary>
public sealed class JobTelemetryFilter : IServerFilter
{
    private const string Started = "clinicalcds:started";

    public void OnPerforming(PerformingContext context) => context.Items[Started] = Stopwatch.GetTimestamp();

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(Started, out var started) && started is long timestamp)
        {
            var outcome = context.Exception is null ? "succeeded" : context.Canceled ? "cancelled" : "failed";
            Telemetry.JobDuration.Record(Stopwatch.GetElapsedTime(timestamp).TotalSeconds,
                new("job", context.BackgroundJob.Job.Method.Name), new("outcome", outcome));
        }
    }
}

/// <summary>
/// How many jobs wait in each queue, read from this host's Hangfire storage when metrics are collected (a hosted
/// service, so the gauge exists from the host's start; the storage is first touched by a collection).
/// </summary>
public sealed class JobQueueMetrics : IHostedService, IDisposable
{
    public const string MeterName = "ClinicalCds.Jobs";

    private readonly Meter _meter;

    public JobQueueMetrics(IMeterFactory meters, IServiceProvider services)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("clinicalcds.jobs.enqueued", () => Queues(services), "{job}", "Jobs waiting in each queue");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Queues(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<JobStorage>().GetMonitoringApi().Queues().Select(q => new Measurement<long>(q.Length, new KeyValuePair<string, object?>("queue", q.Name))).ToList();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            return []; // the database is down: health and logs say so; a gauge has nothing to report
        }
    }
}
