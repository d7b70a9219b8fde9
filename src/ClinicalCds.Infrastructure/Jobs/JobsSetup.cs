using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ClinicalCds.Infrastructure.Jobs;

/// <summary>Hangfire on PostgreSQL storage, with connections from the application's one NpgsqlDataSource.</summary>
public static class JobsSetup
{
    public static IServiceCollection AddClinicalCdsJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        services.AddSingleton(jobs);

        // This host's storage and activator, registered before AddHangfire so that its process-wide defaults
        // (JobStorage.Current, JobActivator.Current) never decide which database or container a job of this host runs in.
        var configured = new ConfiguredStorage();
        services.AddSingleton<JobStorage>(provider =>
        {
            _ = provider.GetRequiredService<IGlobalConfiguration>();
            return configured.Storage ?? throw new InvalidOperationException("Hangfire storage was not configured.");
        });
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        // Hangfire's filters are process-wide: one telemetry filter serves every host of the process.
        lock (GlobalJobFilters.Filters)
        {
            if (!GlobalJobFilters.Filters.Any(f => f.Instance is JobTelemetryFilter))
            {
                GlobalJobFilters.Filters.Add(new JobTelemetryFilter());
            }
        }

        services.AddHangfire((provider, hangfire) => configured.Storage = hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseActivator(provider.GetRequiredService<JobActivator>())
            .UsePostgreSqlStorage(
                storage => storage.UseConnectionFactory(new DataSourceConnectionFactory(provider.GetRequiredService<NpgsqlDataSource>())),
                new PostgreSqlStorageOptions
                {
                    SchemaName = jobs.Schema,
                    PrepareSchemaIfNecessary = true,
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromSeconds(jobs.InvisibilityTimeoutSeconds),
                    QueuePollInterval = TimeSpan.FromSeconds(jobs.QueuePollIntervalSeconds),
                    EnableLongPolling = true,
                })
            .Entry);
        services.AddSingleton<IScoringQueue, HangfireScoringQueue>();
        services.AddSingleton<JobQueueMetrics>();
        services.AddHostedService(provider => provider.GetRequiredService<JobQueueMetrics>());
        services.AddTransient<ScoringJobs>();
        return services;
    }

    /// <summary>Runs jobs in this process (`clinicalcds worker`, or the API when Jobs:RunServerInApi is set) and keeps the recurring runs registered.</summary>
    public static IServiceCollection AddClinicalCdsJobServer(this IServiceCollection services, JobsOptions jobs)
    {
        services.AddHangfireServer((provider, server) =>
        {
            server.Activator = provider.GetRequiredService<JobActivator>();
            server.WorkerCount = Math.Max(1, jobs.WorkerCount);
            server.Queues = [JobsOptions.ScoringQueue, JobsOptions.DeliveryQueue, "default"];
            server.ServerName = ScoringJobs.Worker;
        });
        services.AddHostedService<RecurringScoringRegistration>();
        return services;
    }

    /// <summary>The storage this host's configuration created (not whichever host last set JobStorage.Current).</summary>
    private sealed class ConfiguredStorage
    {
        public JobStorage? Storage { get; set; }
    }

    private sealed class DataSourceConnectionFactory(NpgsqlDataSource dataSource) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
    }

    private sealed class RecurringScoringRegistration(IRecurringJobManager manager, JobStorage storage, ScoringOptions options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            RecurringScoring.Register(manager, storage, options);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
