using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicalCds.Infrastructure.Persistence;

/// <summary>
/// Applies the EF Core migrations of the migrations assembly; safe to run again (applied ones are skipped). Then builds
/// the store's indexes if an initial load died with them set aside.
/// </summary>
public sealed class DatabaseMigrator(ClinicalCdsDbContext db)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await Fhir.InitialLoadIndexes.RestoreIfAbandonedAsync((NpgsqlConnection)db.Database.GetDbConnection(), cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return pending;
    }
}
