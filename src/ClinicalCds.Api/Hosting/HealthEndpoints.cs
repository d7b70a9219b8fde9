using System.Text.Json;
using ClinicalCds.Infrastructure.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicalCds.Api.Hosting;

/// <summary>
/// /health/live: the process serves HTTP (restart it if not). /health/ready: PostgreSQL, the model registry and the job
/// storage answer (route traffic to it if so): 200 when healthy or degraded, 503 when a dependency is down. Both are
/// anonymous, for load balancers and orchestrators, and say nothing about patients.
/// </summary>
public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddClinicalCdsHealth(this IServiceCollection services)
    {
        // A dependency that does not answer within the timeout is unhealthy: readiness must answer quickly itself.
        var timeout = TimeSpan.FromSeconds(3);
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("postgresql", tags: [Ready], timeout: timeout)
            .AddCheck<ModelsHealthCheck>("models", tags: [Ready], timeout: timeout)
            .AddCheck<InputDriftHealthCheck>("input-drift", tags: [Ready], timeout: timeout)
            .AddCheck<ResultFeedHealthCheck>("result-feed", tags: [Ready], timeout: timeout)
            .AddCheck<ModelPerformanceHealthCheck>("model-performance", tags: [Ready], timeout: timeout)
            .AddCheck<JobsHealthCheck>("jobs", tags: [Ready], timeout: timeout)
            .AddCheck<Admin.HospitalSignInHealthCheck>("hospital-sign-in", tags: [Ready], timeout: timeout);
        return services;
    }

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = WriteAsync });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        }, cancellationToken: context.RequestAborted);
    }
}
