using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
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
        // Created here when missing, by the creator's own check (which expects that error and logs nothing): asked
        // first of a database that does not exist, EF's migration calls log two connection errors before creating it.
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
        {
            await creator.CreateAsync(cancellationToken);
        }

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
