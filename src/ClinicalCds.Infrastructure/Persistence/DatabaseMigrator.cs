using Microsoft.EntityFrameworkCore;

namespace ClinicalCds.Infrastructure.Persistence;

/// <summary>Applies the EF Core migrations of the migrations assembly; safe to run again (applied ones are skipped).</summary>
public sealed class DatabaseMigrator(ClinicalCdsDbContext db)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        return pending;
    }
}
