using System.Net;
using System.Net.Sockets;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Fhir.ImportNdjson;
using ClinicalCds.Infrastructure.Persistence;
using ClinicalCds.Synthetic;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClinicalCds.Bench;

/// <summary>What the benchmarks share: a fresh database on the local server and a free loopback port.</summary>
internal static class BenchSupport
{
    /// <summary>Drops and creates <paramref name="name"/> on the server of <paramref name="server"/>; returns its connection string.</summary>
    public static async Task<string> CreateDatabase(string server, string name)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Makes database <paramref name="name"/> (whose services are <paramref name="services"/>) hold a synthetic population
    /// of <paramref name="patients"/> (seed 2026), generated and imported through the product's import path once.
    /// </summary>
    public static async Task EnsurePopulation(string server, IServiceProvider services, string name, int patients)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", name);
            if ((long)(await exists.ExecuteScalarAsync())! == 0)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                await create.ExecuteNonQueryAsync();
            }
        }

        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        var counts = await scope.ServiceProvider.GetRequiredService<IFhirStore>().CountCurrentByTypeAsync(CancellationToken.None);
        if (counts.GetValueOrDefault("Patient") == patients)
        {
            return;
        }

        var folder = Path.Combine(Path.GetTempPath(), $"clinicalcds-bench-{patients}");
        if (!File.Exists(Path.Combine(folder, "Patient.ndjson")))
        {
            Console.WriteLine($"Generating {patients:N0} synthetic patients into {folder} ...");
            PopulationGenerator.Generate(new SyntheticOptions(patients, 2026, SyntheticOptions.DefaultAsOf), folder);
        }

        Console.WriteLine($"Importing {folder} into {name} (once; later runs reuse it) ...");
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        foreach (var file in Directory.GetFiles(folder, "*.ndjson").Order(StringComparer.Ordinal))
        {
            await using var stream = File.OpenRead(file);
            await mediator.Send(new ImportNdjsonCommand(stream, Path.GetFileName(file)));
        }

        await using var connectionForVacuum = await scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connectionForVacuum);
        await vacuum.ExecuteNonQueryAsync();
    }
}
