using ClinicalCds.Api.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>The services every verb uses, configured as the web host is (appsettings, environment variables).</summary>
internal static class CliHost
{
    public static IHost Build(Action<IHostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(Settings([]));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // EF logs the expected failure of its first look for the migrations history table; real errors surface as exceptions.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        builder.Services.AddClinicalCds(builder.Configuration);
        configure?.Invoke(builder);
        var host = builder.Build();
        CompositionRoot.CheckSettings(host.Services);
        return host;
    }

    /// <summary>Every verb reads its settings from the executable's folder, wherever it runs (see <see cref="Installation"/>).</summary>
    public static HostApplicationBuilderSettings Settings(string[] args) => new() { Args = args, ContentRootPath = Installation.ConfigurationFolder };

    /// <summary>Runs a verb with a scope of services; configuration and database errors become a message and exit code 2.</summary>
    public static Task<int> RunAsync(Func<IServiceProvider, Task<int>> verb) => RunAsync(null, verb);

    /// <summary>As above, with extra services (e.g. a job server); the host is started, so its hosted services run meanwhile.</summary>
    public static Task<int> RunAsync(Action<IHostApplicationBuilder>? configure, Func<IServiceProvider, Task<int>> verb) => Guarded(async () =>
    {
        using var host = Build(configure);
        if (configure is not null)
        {
            await host.StartAsync();
        }

        await using var scope = host.Services.CreateAsyncScope();
        var exit = await verb(scope.ServiceProvider);
        if (configure is not null)
        {
            await host.StopAsync();
        }

        return exit;
    });

    /// <summary>Runs <paramref name="run"/>; a configuration or database error becomes a message and exit code 2.</summary>
    public static async Task<int> Guarded(Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
    }
}
