using System.CommandLine;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Infrastructure.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ClinicalCds.Application.Abstractions;

namespace ClinicalCds.Cli.Commands;

/// <summary>clinicalcds worker: a dedicated Hangfire server process; run as many as the load needs, on any machines.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var command = new Command("worker", "Run background jobs (population scoring, RiskAssessment delivery) until stopped.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => CliHost.Guarded(async () =>
        {
            var builder = Host.CreateApplicationBuilder(CliHost.Settings([.. parse.UnmatchedTokens]));
            builder.Services.AddClinicalCds(builder.Configuration);
            builder.Services.AddClinicalCdsJobServer(builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions());
            using var host = builder.Build();
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ClinicalCds.Worker");
            Installation.LogSettings(logger, builder.Configuration);
            CompositionRoot.CheckSettings(host.Services);
            // Models load now: a models folder that is not there stops the worker at start, loudly.
            host.Services.GetRequiredService<IRiskModels>();
            await host.RunAsync(ct);
            return 0;
        }));
        return command;
    }
}
