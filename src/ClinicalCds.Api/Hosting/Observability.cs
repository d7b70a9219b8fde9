using ClinicalCds.Application;
using ClinicalCds.Infrastructure.Jobs;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ClinicalCds.Api.Hosting;

/// <summary>
/// OpenTelemetry traces and metrics: ours (hook latency by service, model inference, ingest, use cases, jobs, queue
/// length), ASP.NET Core's, HttpClient's, Npgsql's and the runtime's. Exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT
/// is set (the standard OpenTelemetry variables configure the rest). Span attributes carry route templates, never the
/// ids in a path or a query string.
/// </summary>
public static class Observability
{
    public static IServiceCollection AddClinicalCdsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("clinicalcds", serviceVersion: typeof(Observability).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddSource(Telemetry.Name, "Npgsql")
                .AddAspNetCoreInstrumentation(aspNet => aspNet.EnrichWithHttpResponse = (activity, response) =>
                {
                    if (response.HttpContext.GetEndpoint() is RouteEndpoint endpoint)
                    {
                        activity.SetTag("url.path", "/" + endpoint.RoutePattern.RawText?.TrimStart('/'));
                    }
                })
                .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    // A FHIR server's URL names the patient; keep only where the call went.
                    if (request.RequestUri is { } uri)
                    {
                        activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Authority));
                    }
                }))
            .WithMetrics(metrics => metrics
                .AddMeter(Telemetry.Name, JobQueueMetrics.MeterName, "Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }
}
