using ClinicalCds.Infrastructure.Persistence;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ClinicalCds.IntegrationTests.Persistence;

/// <summary>
/// Issue 34 item 1: the schema is one baseline migration (nothing was deployed before it), and the EF model has no change
/// that a migration does not carry — so a model edit without `dotnet ef migrations add` fails here, not at a hospital.
/// </summary>
public sealed class SchemaBaselineTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    private ClinicalCdsDbContext Context()
    {
        var options = new DbContextOptionsBuilder<ClinicalCdsDbContext>();
        options.UseClinicalCdsDatabase(_database.ConnectionString);
        return new ClinicalCdsDbContext(options.Options);
    }

    [Fact]
    public async Task The_model_has_no_pending_changes_and_a_migrated_database_has_every_migration_applied()
    {
        await using var db = Context();

        Assert.False(db.Database.HasPendingModelChanges(), "the EF model differs from the migrations' snapshot: add a migration (dotnet ef migrations add NAME --project migrations/ClinicalCds.Migrations)");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var migrations = db.GetService<IMigrationsAssembly>().Migrations.Keys.ToList();
        Assert.Equal(migrations, await db.Database.GetAppliedMigrationsAsync());
        Assert.EndsWith("_Initial", migrations[0], StringComparison.Ordinal);
    }
}
