using ClinicalCds.Api.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>The services every verb uses, configured as the web host is (appsettings, environment variables).</summary>
internal static class CliHost
{
    public static IHost Build()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // EF logs the expected failure of its first look for the migrations history table; real errors surface as exceptions.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        builder.Services.AddClinicalCds(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Runs a verb with a scope of services; configuration and database errors become a message and exit code 2.</summary>
    public static async Task<int> RunAsync(Func<IServiceProvider, Task<int>> verb)
    {
        try
        {
            using var host = Build();
            await using var scope = host.Services.CreateAsyncScope();
            return await verb(scope.ServiceProvider);
        }
        catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
    }
}
