using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using Hangfire;
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
        services.AddHangfire((provider, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
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
                }));
        services.AddSingleton<IScoringQueue, HangfireScoringQueue>();
        services.AddTransient<ScoringJobs>();
        return services;
    }

    /// <summary>Runs jobs in this process (`clinicalcds worker`, or the API when Jobs:RunServerInApi is set) and keeps the recurring runs registered.</summary>
    public static IServiceCollection AddClinicalCdsJobServer(this IServiceCollection services, JobsOptions jobs)
    {
        services.AddHangfireServer(server =>
        {
            server.WorkerCount = Math.Max(1, jobs.WorkerCount);
            server.Queues = [JobsOptions.ScoringQueue, JobsOptions.DeliveryQueue, "default"];
            server.ServerName = ScoringJobs.Worker;
        });
        services.AddHostedService<RecurringScoringRegistration>();
        return services;
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
