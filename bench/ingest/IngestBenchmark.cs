using System.Diagnostics;
using System.Globalization;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Application.Fhir.ImportNdjson;
using ClinicalCds.Infrastructure.Persistence;
using ClinicalCds.Synthetic;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace ClinicalCds.Bench.Ingest;

/// <summary>
/// bench/ingest: resources/s importing a synthetic NDJSON population through the product's import path
/// (parse, validate, project, version, binary COPY), beside the physical floor measured in the same run:
/// a plain COPY of the same lines into a bare jsonb table on the same server.
/// </summary>
public static class IngestBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        var patients = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__ClinicalCds")
            ?? throw new InvalidOperationException("Set ConnectionStrings__ClinicalCds (bench/ingest/run.sh starts a local PostgreSQL).");
        var folder = Path.Combine(Path.GetTempPath(), $"clinicalcds-bench-{patients}");
        if (!File.Exists(Path.Combine(folder, "Patient.ndjson")))
        {
            Console.WriteLine($"Generating {patients:N0} synthetic patients into {folder} ...");
            PopulationGenerator.Generate(new SyntheticOptions(patients, 2026, SyntheticOptions.DefaultAsOf), folder);
        }

        var files = Directory.GetFiles(folder, "*.ndjson").Order(StringComparer.Ordinal).ToList();
        var lines = files.Sum(f => File.ReadLines(f).LongCount());
        var megabytes = files.Sum(f => new FileInfo(f).Length) / 1e6;
        Console.WriteLine($"{lines:N0} resources in {files.Count} files ({megabytes:N0} MB).");

        var floorDb = await BenchSupport.CreateDatabase(server, "bench_ingest_floor");
        var floorCpu = await Cpu.Start(server);
        var floor = await Floor(floorDb, files);
        var floorUsed = await floorCpu.Stop();
        var storeDb = await BenchSupport.CreateDatabase(server, "bench_ingest_store");
        var oursCpu = await Cpu.Start(server);
        var (ours, stored) = await Ours(storeDb, files, initialLoad: true);
        var oursUsed = await oursCpu.Stop();
        var incrementalDb = await BenchSupport.CreateDatabase(server, "bench_ingest_store");
        var incrementalCpu = await Cpu.Start(server);
        var (incremental, storedIncrementally) = await Ours(incrementalDb, files, initialLoad: false);
        var incrementalUsed = await incrementalCpu.Stop();

        Console.WriteLine();
        Console.WriteLine("| path | resources | seconds | resources/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| COPY lines into a bare jsonb table (floor) | {lines:N0} | {floor.TotalSeconds:F1} | {lines / floor.TotalSeconds:N0} |");
        Console.WriteLine($"| clinicalcds import FOLDER: initial load (parse, validate, project, version; indexes built after) | {stored:N0} | {ours.TotalSeconds:F1} | {stored / ours.TotalSeconds:N0} |");
        Console.WriteLine($"| file by file, indexes kept row by row (as into a store holding data) | {storedIncrementally:N0} | {incremental.TotalSeconds:F1} | {storedIncrementally / incremental.TotalSeconds:N0} |");
        Console.WriteLine();
        Console.WriteLine($"ratio (ours / floor, time per resource): {ours.TotalSeconds / floor.TotalSeconds:F2} (initial load), {incremental.TotalSeconds / floor.TotalSeconds:F2} (file by file)");
        Console.WriteLine();
        Console.WriteLine("| CPU µs per resource | this process | PostgreSQL | machine idle |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(floorUsed.Row("floor", lines, floor));
        Console.WriteLine(oursUsed.Row("initial load", stored, ours));
        Console.WriteLine(incrementalUsed.Row("file by file", storedIncrementally, incremental));
        return stored == lines && storedIncrementally == lines ? 0 : 1;
    }

    /// <summary>CPU used by this process and by the PostgreSQL server between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    private sealed record Cpu(string Server, TimeSpan Process, double? ServerSeconds)
    {
        public static async Task<Cpu> Start(string server) =>
            new(server, System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime, await BenchSupport.ServerCpuSeconds(server));

        public async Task<(double Process, double? Server)> Stop()
        {
            NpgsqlConnection.ClearAllPools();
            await Task.Delay(500); // the closed backends are reaped and counted
            var server = await BenchSupport.ServerCpuSeconds(Server);
            return ((System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - Process).TotalSeconds, server - ServerSeconds);
        }
    }

    private static string Row(this (double Process, double? Server) used, string name, long resources, TimeSpan elapsed)
    {
        var micros = 1e6 / resources;
        var idle = Environment.ProcessorCount * elapsed.TotalSeconds - used.Process - (used.Server ?? 0);
        return $"| {name} | {used.Process * micros:F1} | {(used.Server is { } s ? (s * micros).ToString("F1", CultureInfo.InvariantCulture) : "n/a")} | " +
               $"{(used.Server is null ? "n/a" : Math.Max(0, idle * micros).ToString("F1", CultureInfo.InvariantCulture))} |";
    }

    private static async Task<TimeSpan> Floor(string connectionString, List<string> files)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE bare (content jsonb NOT NULL)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        await using (var copy = await connection.BeginBinaryImportAsync("COPY bare (content) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var file in files)
            {
                foreach (var line in File.ReadLines(file))
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(line, NpgsqlDbType.Jsonb);
                }
            }

            await copy.CompleteAsync();
        }

        return clock.Elapsed;
    }

    /// <summary>
    /// Imports the files into a fresh store: as <c>clinicalcds import FOLDER</c> does (one import of all files, an initial
    /// load since the store is empty), or file by file with the indexes kept up to date row by row (as any import into a
    /// store that holds data already).
    /// </summary>
    private static async Task<(TimeSpan Elapsed, long Stored)> Ours(string connectionString, List<string> files, bool initialLoad)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ClinicalCds"] = connectionString })
            .Build();
        await using var services = new ServiceCollection().AddLogging().AddClinicalCds(configuration).BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        }

        var clock = Stopwatch.StartNew();
        long stored = 0;
        await using (var scope = services.CreateAsyncScope())
        {
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            if (initialLoad)
            {
                var sources = files.Select(file => new NdjsonSource(Path.GetFileName(file), () => File.OpenRead(file))).ToList();
                var result = await mediator.Send(new ImportNdjsonCommand(sources, InitialLoadIfEmpty: true));
                stored = result.InitialLoad ? result.Stored : throw new InvalidOperationException("The import into the empty store was not an initial load.");
            }
            else
            {
                foreach (var file in files)
                {
                    await using var stream = File.OpenRead(file);
                    stored += (await mediator.Send(new ImportNdjsonCommand(stream, Path.GetFileName(file)))).Stored;
                }
            }
        }

        return (clock.Elapsed, stored);
    }
}
