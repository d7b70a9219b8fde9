using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Logging;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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
        // Hangfire's global filters plus ours, for this host only: adding to the process-wide collection while another
        // host creates a job would race with its enumeration.
        var telemetry = new JobFilterCollection();
        telemetry.Add(new JobTelemetryFilter());
        services.AddSingleton<IJobFilterProvider>(new JobFilterProviderCollection(JobFilterProviders.Providers, telemetry));
        // Hangfire installs or upgrades its schema when the storage is created; processes starting together on one
        // database would run that DDL at once (PostgreSQL then fails "could not find tuple for constraint"), so they
        // take turns under an advisory lock.
        services.AddHangfire((provider, hangfire) => configured.Storage = OneAtATime(provider.GetRequiredService<NpgsqlDataSource>(), () => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseActivator(provider.GetRequiredService<JobActivator>())
            .UseLogProvider(new HostLogProvider(new AspNetCoreLogProvider(provider.GetRequiredService<ILoggerFactory>())))
            .UsePostgreSqlStorage(
                storage => storage.UseConnectionFactory(new DataSourceConnectionFactory(provider.GetRequiredService<NpgsqlDataSource>())),
                new PostgreSqlStorageOptions
                {
                    SchemaName = jobs.Schema,
                    PrepareSchemaIfNecessary = true,
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromSeconds(jobs.InvisibilityTimeoutSeconds),
                    DistributedLockTimeout = TimeSpan.FromSeconds(jobs.DistributedLockTimeoutSeconds),
                    QueuePollInterval = TimeSpan.FromSeconds(jobs.QueuePollIntervalSeconds),
                    // No LISTEN/NOTIFY long polling: its listener task can outlive a fetch and keep the worker thread
                    // waiting with a job in hand while the queue fills (seen in CI: one worker, 51 jobs queued, no
                    // progress for 4 minutes; hangfire-postgres/Hangfire.PostgreSql#410 and #420 are in the same code).
                    // Plain polling costs one indexed query per idle worker per interval and cannot stall.
                    EnableLongPolling = false,
                })
            .Entry));
        services.AddSingleton<IScoringQueue, HangfireScoringQueue>();
        services.AddSingleton<JobQueueMetrics>();
        services.AddHostedService(provider => provider.GetRequiredService<JobQueueMetrics>());
        services.AddTransient<ScoringJobs>();
        return services;
    }

    /// <summary>The advisory lock key under which a process creates the job storage (and with it installs Hangfire's schema).</summary>
    private const long SchemaLockKey = 0x436c696e4364734a; // "ClinCdsJ"

    private static T OneAtATime<T>(NpgsqlDataSource dataSource, Func<T> create)
    {
        using var connection = dataSource.OpenConnection();
        using (var locking = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            locking.Parameters.AddWithValue("key", SchemaLockKey);
            locking.ExecuteNonQuery();
        }

        try
        {
            return create();
        }
        finally
        {
            using var unlocking = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlocking.Parameters.AddWithValue("key", SchemaLockKey);
            unlocking.ExecuteNonQuery();
        }
    }

    /// <summary>Runs jobs in this process (`clinicalcds worker`, or the API when Jobs:RunServerInApi is set) and keeps the recurring runs registered.</summary>
    public static IServiceCollection AddClinicalCdsJobServer(this IServiceCollection services, JobsOptions jobs)
    {
        services.AddHangfireServer((provider, server) =>
        {
            server.Activator = provider.GetRequiredService<JobActivator>();
            server.FilterProvider = provider.GetRequiredService<IJobFilterProvider>();
            server.WorkerCount = Math.Max(1, jobs.WorkerCount);
            server.Queues = [JobsOptions.ScoringQueue, JobsOptions.DeliveryQueue, "default"];
            server.ServerName = ScoringJobs.Worker;
        });
        services.AddHostedService<RecurringScoringRegistration>();
        return services;
    }

    /// <summary>
    /// Hangfire's log provider is process-wide and the last host to configure it wins; when that host is disposed while
    /// another in the process still runs (tests, a CLI verb that hosts twice), creating a Hangfire logger must not throw.
    /// </summary>
    private sealed class HostLogProvider(ILogProvider inner) : ILogProvider
    {
        public ILog GetLogger(string name)
        {
            try
            {
                return inner.GetLogger(name);
            }
            catch (ObjectDisposedException)
            {
                return Silent.Instance;
            }
        }

        private sealed class Silent : ILog
        {
            public static readonly Silent Instance = new();

            public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
        }
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
