using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ClinicalCds.Infrastructure.Health;

/// <summary>PostgreSQL answers a query within the check's time.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            command.CommandTimeout = 5;
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            // The type alone: a driver message can name hosts and users.
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer ({e.GetType().Name}).");
        }
    }
}

/// <summary>
/// Every risk model is loaded and no model folder was refused. A missing or refused model degrades the service (its cards
/// fall back to the published scores, or the last good version keeps serving) rather than taking it out of rotation.
/// </summary>
public sealed class ModelsHealthCheck(IRiskModels models, Domain.Risks.RiskCatalog risks) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var missing = risks.Names.Where(name => models.Find(name) is null).ToList();
        var refused = models.Refused;
        var served = string.Join(", ", risks.Names.Select(models.Find).OfType<IRiskModel>().Select(m => $"{m.Card.Name} {m.Card.Version}"));
        if (missing.Count == 0 && refused.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Serving {served}."));
        }

        var problems = missing.Select(name => $"no valid {name} model").Concat(refused.Select(r => $"refused {r}"));
        return Task.FromResult(HealthCheckResult.Degraded($"Serving {(served.Length == 0 ? "no model" : served)}; {string.Join("; ", problems)}."));
    }
}

/// <summary>
/// The latest input-drift check of each model now served raised no alarm. Alarms degrade the service (it keeps serving:
/// the model owner decides) and name the features and what moved.
/// </summary>
public sealed class InputDriftHealthCheck(IMonitoringStore store, IRiskModels models, Domain.Risks.RiskCatalog risks) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var served = models.ServedMethods(risks.Names);
            var alarms = (await store.LatestDriftAsync(cancellationToken))
                .Where(c => served.Contains(c.Method))
                .SelectMany(c => c.Alarmed.Select(f => $"{c.Method}: {f.Feature} {string.Join(", ", f.Alarms)}"))
                .ToList();
            return alarms.Count == 0
                ? HealthCheckResult.Healthy("No input-drift alarm at the last check.")
                : HealthCheckResult.Degraded($"Input drift: {string.Join("; ", alarms)}.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Degraded($"The last input-drift check cannot be read ({e.GetType().Name}).");
        }
    }
}

/// <summary>
/// The latest outcome-performance check of each model now served raised no alarm (issue 32 item 4): discrimination or
/// calibration significantly degraded over a window with enough events degrades the service, naming what moved.
/// </summary>
public sealed class ModelPerformanceHealthCheck(IMonitoringStore store, IRiskModels models, Domain.Risks.RiskCatalog risks) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var served = models.ServedMethods(risks.Names);
            var alarmed = (await store.LatestPerformanceAsync(cancellationToken)).Where(c => served.Contains(c.Method) && c.Alarms.Count > 0).ToList();
            return alarmed.Count == 0
                ? HealthCheckResult.Healthy("No performance alarm at the last outcome monitoring.")
                : HealthCheckResult.Degraded($"Model performance: {string.Join("; ", alarmed.Select(c => c.Summary))}.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Degraded($"The last performance check cannot be read ({e.GetType().Name}).");
        }
    }
}

/// <summary>
/// The last result-feed check (issue 32 item 5): a code whose results arrive in part not usable — an unknown unit, a value
/// no patient can show — is a feed fault the scores cannot see (those values are left out), so readiness says it.
/// </summary>
public sealed class ResultFeedHealthCheck(IMonitoringStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var check = await store.LatestFeedAsync(cancellationToken);
            var faults = check?.Feeds.Where(f => check.Alarmed.Contains(f.Code)).ToList() ?? [];
            return faults.Count == 0
                ? HealthCheckResult.Healthy(check is null ? "No result-feed check has run yet." : "No result-feed alarm at the last check.")
                : HealthCheckResult.Degraded(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Results not usable: {string.Join("; ", faults.Select(f => $"LOINC {f.Code}: {f.Unusable} of {f.Results} ({string.Join(", ", f.UnusableUnits)})"))}."));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Degraded($"The last result-feed check cannot be read ({e.GetType().Name}).");
        }
    }
}

/// <summary>Hangfire's storage answers, and at least one job server (a worker, or an API running jobs) is heart-beating.</summary>
public sealed class JobsHealthCheck(JobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Hangfire's monitoring API blocks; run it aside so that the check's timeout can end the wait.
            var (servers, enqueued) = await Task.Run(() =>
            {
                var monitoring = storage.GetMonitoringApi();
                return (monitoring.Servers().Count, monitoring.Queues().Sum(q => q.Length));
            }, cancellationToken).WaitAsync(cancellationToken);
            var data = new Dictionary<string, object> { ["servers"] = servers, ["enqueued"] = enqueued };
            return servers == 0
                ? HealthCheckResult.Degraded($"No job server is running; {Domain.Explanations.FactorWording.Count(enqueued, "job")} {(enqueued == 1 ? "waits" : "wait")}.", data: data)
                : HealthCheckResult.Healthy($"{Domain.Explanations.FactorWording.Count(servers, "job server")}; {Domain.Explanations.FactorWording.Count(enqueued, "job")} {(enqueued == 1 ? "waits" : "wait")}.", data);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The job storage does not answer ({e.GetType().Name}).");
        }
    }
}
