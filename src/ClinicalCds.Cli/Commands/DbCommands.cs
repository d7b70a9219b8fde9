using System.CommandLine;
using ClinicalCds.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

internal static class DbCommands
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply the database migrations (idempotent).");
        migrate.SetAction((_, ct) => CliHost.RunAsync(async services =>
        {
            var applied = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"Database is up to date ({applied.Count} migration(s) applied{(applied.Count > 0 ? ": " + string.Join(", ", applied) : string.Empty)}).");
            return 0;
        }));
        return new Command("db", "Database administration.") { migrate };
    }
}
