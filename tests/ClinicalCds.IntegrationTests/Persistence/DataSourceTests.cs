using ClinicalCds.Infrastructure.Persistence;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Persistence;

public sealed class DataSourceTests
{
    [Fact]
    public void Idle_connections_are_kept_for_30_minutes_unless_the_connection_string_says_otherwise()
    {
        using var byDefault = DatabaseOptions.CreateDataSource("Host=127.0.0.1;Database=x");
        using var given = DatabaseOptions.CreateDataSource("Host=127.0.0.1;Database=x;Connection Idle Lifetime=60");
        using var givenAlias = DatabaseOptions.CreateDataSource("Host=127.0.0.1;Database=x;connectionidlelifetime=120");

        Assert.Equal(DatabaseOptions.DefaultConnectionIdleLifetimeSeconds, new NpgsqlConnectionStringBuilder(byDefault.ConnectionString).ConnectionIdleLifetime);
        Assert.Equal(60, new NpgsqlConnectionStringBuilder(given.ConnectionString).ConnectionIdleLifetime);
        Assert.Equal(120, new NpgsqlConnectionStringBuilder(givenAlias.ConnectionString).ConnectionIdleLifetime);
    }
}
