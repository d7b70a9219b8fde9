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
        var floor = await Floor(floorDb, files);
        var storeDb = await BenchSupport.CreateDatabase(server, "bench_ingest_store");
        var (ours, stored) = await Ours(storeDb, files);

        Console.WriteLine();
        Console.WriteLine("| path | resources | seconds | resources/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| COPY lines into a bare jsonb table (floor) | {lines:N0} | {floor.TotalSeconds:F1} | {lines / floor.TotalSeconds:N0} |");
        Console.WriteLine($"| clinicalcds import (parse, validate, project, version) | {stored:N0} | {ours.TotalSeconds:F1} | {stored / ours.TotalSeconds:N0} |");
        Console.WriteLine();
        Console.WriteLine($"ratio (ours / floor, time per resource): {ours.TotalSeconds / floor.TotalSeconds:F2}");
        return stored == lines ? 0 : 1;
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

    private static async Task<(TimeSpan Elapsed, long Stored)> Ours(string connectionString, List<string> files)
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
            foreach (var file in files)
            {
                await using var stream = File.OpenRead(file);
                var result = await mediator.Send(new ImportNdjsonCommand(stream, Path.GetFileName(file)));
                stored += result.Stored;
            }
        }

        return (clock.Elapsed, stored);
    }
}
