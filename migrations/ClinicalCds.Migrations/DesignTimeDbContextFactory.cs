using ClinicalCds.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ClinicalCds.Migrations;

/// <summary>
/// Lets `dotnet ef migrations add NAME --project migrations/ClinicalCds.Migrations` build the model without a host.
/// No database is contacted to add a migration; the connection string only names the provider.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ClinicalCdsDbContext>
{
    public ClinicalCdsDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__ClinicalCds") ?? "Host=127.0.0.1;Database=clinicalcds;Username=postgres";
        var options = new DbContextOptionsBuilder<ClinicalCdsDbContext>();
        options.UseClinicalCdsDatabase(connectionString);
        return new ClinicalCdsDbContext(options.Options);
    }
}
