using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicalCds.Infrastructure.Persistence;

public static class DatabaseOptions
{
    public const string ConnectionStringName = "ClinicalCds";

    public static DbContextOptionsBuilder UseClinicalCdsDatabase(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsAssembly(ClinicalCdsDbContext.MigrationsAssembly))
            .UseSnakeCaseNamingConvention();

    public static DbContextOptionsBuilder UseClinicalCdsDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(ClinicalCdsDbContext.MigrationsAssembly))
            .UseSnakeCaseNamingConvention();
}
