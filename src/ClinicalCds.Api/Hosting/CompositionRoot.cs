using ClinicalCds.Domain.Clinical;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Fhir.IngestBundle;
using ClinicalCds.Infrastructure.Fhir;
using ClinicalCds.Infrastructure.Persistence;
using ClinicalCds.Infrastructure.Timeline;
using ClinicalCds.Infrastructure.Models;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Infrastructure.CdsHooks;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Infrastructure.Jobs;
using ClinicalCds.Infrastructure.Scoring;
using ClinicalCds.Infrastructure.Worklist;
using ClinicalCds.Domain.Risks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace ClinicalCds.Api.Hosting;

/// <summary>
/// The one place where the application is wired: the web host and every CLI verb call this, so they share
/// the same store, the same use cases and the same pipeline. The Mediator source generator lives here alone.
/// </summary>
public static class CompositionRoot
{
    /// <summary>The CDS Hooks section with its clients checked: each names its keys, and a JWKS file exists.</summary>
    private static CdsHooksOptions CdsHooksSettings(IConfiguration configuration)
    {
        var options = configuration.GetSection(CdsHooksOptions.Section).Get<CdsHooksOptions>() ?? new CdsHooksOptions();
        foreach (var client in options.Clients)
        {
            if (string.IsNullOrWhiteSpace(client.JwksUri) && string.IsNullOrWhiteSpace(client.JwksFile))
            {
                throw new InvalidOperationException($"CDS client '{client.Issuer}' has neither JwksUri nor JwksFile: its tokens could never be verified.");
            }

            foreach (var server in client.FhirServers.Where(s => !string.IsNullOrWhiteSpace(s) && !IsHttpUrl(s)))
            {
                throw new InvalidOperationException($"CDS client '{client.Issuer}': FhirServers entry '{server}' is not an absolute http(s) URL.");
            }

            if (!string.IsNullOrWhiteSpace(client.JwksFile))
            {
                client.JwksFile = Installation.Resolve(configuration, client.JwksFile);
                if (!File.Exists(client.JwksFile))
                {
                    throw new InvalidOperationException($"CDS client '{client.Issuer}': JwksFile {client.JwksFile} does not exist.");
                }
            }
        }

        foreach (var server in options.FhirServers.Where(s => !string.IsNullOrWhiteSpace(s) && !IsHttpUrl(s)))
        {
            throw new InvalidOperationException($"CdsHooks:FhirServers entry '{server}' is not an absolute http(s) URL.");
        }

        return options;
    }

    private static bool IsHttpUrl(string text) => Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";

    public static IServiceCollection AddClinicalCds(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "No database is configured: set ConnectionStrings__ClinicalCds (scripts/pg.sh start prints it for a local cluster).");
        }

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DatabaseOutage>();
        services.AddSingleton(_ => DatabaseOptions.CreateDataSource(connectionString));
        services.AddDbContext<ClinicalCdsDbContext>((provider, options) => options.UseClinicalCdsDatabase(provider.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<PostgresFhirStore>();
        services.AddSingleton<IFhirStore>(provider => provider.GetRequiredService<PostgresFhirStore>());
        services.AddSingleton<IFactRederivation>(provider => provider.GetRequiredService<PostgresFhirStore>());
        services.AddSingleton<IPatientTimelineReader, PostgresTimelineReader>();
        // Local codes → the codes the features read (FHIR ConceptMaps) and which encounters are admissions, ICU stays, ...
        // (folders checked at start; maps stored through the FHIR API read on first use and followed).
        // How this hospital's data read: its encounter rules and its calendar (Clinical:TimeZone, else the profile's zone, else UTC).
        var encounters = (configuration.GetSection(EncounterOptions.Section).Get<EncounterOptions>() ?? new EncounterOptions()).Resolve();
        services.AddSingleton(HospitalTime.For(configuration["Clinical:TimeZone"] ?? encounters.TimeZone));
        services.AddSingleton(provider => new TerminologySource(
            TerminologyFolders.LoadGroups(Installation.TerminologyFolders(configuration)),
            encounters,
            provider.GetRequiredService<HospitalTime>(),
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<ILogger<TerminologySource>>(), provider.GetRequiredService<TimeProvider>()));
        services.AddTransient(provider => provider.GetRequiredService<TerminologySource>().Current);
        // Risk models: every models/<name>/<version>/ folder, verified against its card, reloaded when it changes.
        services.AddSingleton(provider => new OnnxModelRegistry(
            Installation.ModelsRoot(configuration), provider.GetRequiredService<ILogger<OnnxModelRegistry>>(), provider.GetRequiredService<RiskCatalog>()));
        services.AddSingleton<IRiskModels>(provider => provider.GetRequiredService<OnnxModelRegistry>());
        services.AddSingleton<IModelServing>(provider => provider.GetRequiredService<OnnxModelRegistry>());
        services.AddSingleton<IServingAudit, PostgresServingAudit>();
        services.AddSingleton(configuration.GetSection(Application.Models.GoLiveOptions.Section).Get<Application.Models.GoLiveOptions>() ?? new Application.Models.GoLiveOptions());
        services.AddSingleton(configuration.GetSection(Application.Models.PromotionOptions.Section).Get<Application.Models.PromotionOptions>() ?? new Application.Models.PromotionOptions());

        var cdsHooks = CdsHooksSettings(configuration);
        services.AddSingleton(cdsHooks);
        services.AddSingleton<ServiceRisks>();
        services.AddSingleton<PostgresCdsStore>();
        services.AddSingleton<ICdsStore>(provider => provider.GetRequiredService<PostgresCdsStore>());
        services.AddSingleton<ITokenReplayGuard>(provider => provider.GetRequiredService<PostgresCdsStore>());
        services.AddSingleton<IFeedbackAnalytics>(provider => provider.GetRequiredService<PostgresCdsStore>());
        services.AddSingleton<IFhirServerClient, HttpFhirServerClient>();
        services.AddSingleton<JwksCache>();
        services.AddSingleton<CdsClientAuthenticator>();
        // fhirServers: never a redirect (the token stays with the server named); unlisted ones at public addresses only.
        services.AddHttpClient(HttpFhirServerClient.ClientName).ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, ConnectCallback = PublicNetwork.ConnectAsync });
        services.AddHttpClient(HttpFhirServerClient.ListedClientName).ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddHttpClient(JwksCache.ClientName).ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(5));
        // The risks this installation scores (Domain/Risks); a host may register a catalog with more before or after this.
        services.TryAddSingleton(RiskCatalog.Default);
        var scoring = configuration.GetSection(ScoringOptions.Section).Get<ScoringOptions>() ?? new ScoringOptions();
        services.AddSingleton(provider => scoring.Resolved(provider.GetRequiredService<RiskCatalog>()));
        services.AddSingleton<PostgresScoringStore>();
        services.AddSingleton<IScoringStore>(provider => provider.GetRequiredService<PostgresScoringStore>());
        services.AddSingleton<IMonitoringStore, Infrastructure.Monitoring.PostgresMonitoringStore>();
        services.AddTransient<Application.Monitoring.ServedOutcomes>();
        services.AddSingleton(configuration.GetSection(Application.Monitoring.PerformanceAlarmOptions.Section).Get<Application.Monitoring.PerformanceAlarmOptions>()
            ?? new Application.Monitoring.PerformanceAlarmOptions());
        services.AddSingleton(configuration.GetSection(Application.Models.Evaluation.DriftThresholds.Section).Get<Application.Models.Evaluation.DriftThresholds>()
            ?? new Application.Models.Evaluation.DriftThresholds());
        services.AddSingleton<IWorklistStore, PostgresWorklistStore>();
        services.AddSingleton<IRiskAssessmentPublisher, HttpRiskAssessmentPublisher>();
        services.AddHttpClient(HttpRiskAssessmentPublisher.ClientName).ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(60));
        services.AddClinicalCdsJobs(configuration);
        services.AddClinicalCdsTelemetry(configuration);
        services.AddScoped<DatabaseMigrator>();
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(IngestBundleCommand)];
            options.PipelineBehaviors = [typeof(Application.TelemetryBehavior<,>)];
        });
        // The audit trail of hook calls: one pipeline step around the use case, recording the status the API answers with.
        services.AddSingleton<Application.Abstractions.ICdsCallStatuses, CdsHooks.CdsCallStatus>();
        services.AddScoped<Mediator.IPipelineBehavior<Application.CdsHooks.EvaluateHook.EvaluateHookCommand, CdsAnswer>, Application.CdsHooks.EvaluateHook.HookAuditBehavior<Application.CdsHooks.EvaluateHook.EvaluateHookCommand>>();
        services.AddScoped<Mediator.IPipelineBehavior<Application.CdsHooks.RecordFeedback.RecordFeedbackCommand, CdsAnswer>, Application.CdsHooks.EvaluateHook.HookAuditBehavior<Application.CdsHooks.RecordFeedback.RecordFeedbackCommand>>();
        return services;
    }

    /// <summary>
    /// Resolves the settings checked at start — the cohorts' models, the hook services' models and card indicators
    /// against the known risks, the terminology folders and their ConceptMaps — so that a mistake stops the process
    /// at once with its message rather than at the first run.
    /// </summary>
    public static void CheckSettings(IServiceProvider services)
    {
        services.GetRequiredService<ScoringOptions>();
        services.GetRequiredService<ServiceRisks>();
        services.GetRequiredService<TerminologySource>();
    }
}
