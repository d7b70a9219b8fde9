using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicalCds.Infrastructure.Persistence;

public static class DatabaseOptions
{
    public const string ConnectionStringName = "ClinicalCds";

    /// <summary>How long an idle pooled connection is kept when the connection string does not say (Npgsql: 300 s).</summary>
    public const int DefaultConnectionIdleLifetimeSeconds = 1800;

    /// <summary>
    /// The product's one PostgreSQL data source. Idle connections are kept for 30 minutes unless the connection string
    /// sets <c>Connection Idle Lifetime</c>: with Npgsql's 5 minutes, steady hook traffic saw its pool pruned and the
    /// next burst open dozens of fresh PostgreSQL backends at once (each warming its caches) — a 1–2 s stall every ~5
    /// minutes in bench/load, gone with the longer lifetime.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Connection Idle Lifetime") && !given.ContainsKey("ConnectionIdleLifetime"))
        {
            builder.ConnectionStringBuilder.ConnectionIdleLifetime = DefaultConnectionIdleLifetimeSeconds;
        }

        return builder.Build();
    }

    public static DbContextOptionsBuilder UseClinicalCdsDatabase(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsAssembly(ClinicalCdsDbContext.MigrationsAssembly))
            .UseSnakeCaseNamingConvention();

    public static DbContextOptionsBuilder UseClinicalCdsDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(ClinicalCdsDbContext.MigrationsAssembly))
            .UseSnakeCaseNamingConvention();
}
