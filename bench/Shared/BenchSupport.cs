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

    /// <summary>
    /// CPU seconds the local PostgreSQL server has used so far: the postmaster, its live children (backends, checkpointer,
    /// WAL writer, ...) and the children it has reaped. Null when the server's processes are not readable from here.
    /// </summary>
    public static async Task<double?> ServerCpuSeconds(string server)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false };
        string directory;
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var show = new NpgsqlCommand("SHOW data_directory", connection);
            directory = (string)(await show.ExecuteScalarAsync())!;
        }

        try
        {
            var postmaster = int.Parse(File.ReadLines(Path.Combine(directory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            long ticks = 0;
            foreach (var stat in Directory.GetDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)).Select(d => Path.Combine(d, "stat")))
            {
                string[] fields;
                try
                {
                    var text = File.ReadAllText(stat);
                    fields = text[(text.LastIndexOf(')') + 2)..].Split(' '); // fields from the 3rd on: state, ppid, ...
                }
                catch (IOException)
                {
                    continue; // the process ended meanwhile
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }

                var pid = int.Parse(Path.GetFileName(Path.GetDirectoryName(stat)!), System.Globalization.CultureInfo.InvariantCulture);
                var parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                if (pid == postmaster || parent == postmaster)
                {
                    ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                }

                if (pid == postmaster)
                {
                    ticks += long.Parse(fields[13], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[14], System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            return ticks / 100.0; // USER_HZ
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
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

    /// <summary>
    /// Copies the original patients' rows of <paramref name="tables"/> <paramref name="copies"/> times under new ids: every
    /// <c>*_id</c> column (and <paramref name="alsoSuffixed"/>) gets <paramref name="suffix"/> and the copy's number.
    /// The same clinical histories, distinct patients.
    /// </summary>
    public static async Task CopyPatientsAsync(NpgsqlConnection connection, IEnumerable<string> tables, int copies, string suffix, params string[] alsoSuffixed)
    {
        foreach (var table in tables)
        {
            var columns = new List<string>();
            await using (var read = new NpgsqlCommand(
                $"SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position", connection))
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(0));
                }
            }

            var select = string.Join(", ", columns.Select(c => c.EndsWith("_id", StringComparison.Ordinal) || alsoSuffixed.Contains(c) ? $"{c} || '{suffix}' || k" : c));
            await using var copy = new NpgsqlCommand(
                $"INSERT INTO {table} ({string.Join(", ", columns)}) SELECT {select} FROM {table} CROSS JOIN generate_series(1, {copies}) AS k " +
                $"WHERE patient_id NOT LIKE '%-c%' AND patient_id NOT LIKE '%{suffix}%'",
                connection) { CommandTimeout = 0 };
            await copy.ExecuteNonQueryAsync();
        }
    }
}
