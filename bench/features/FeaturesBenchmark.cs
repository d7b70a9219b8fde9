using System.Diagnostics;
using System.Globalization;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Fhir.ImportNdjson;
using ClinicalCds.Domain.Features;
using ClinicalCds.Infrastructure.Persistence;
using ClinicalCds.Synthetic;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClinicalCds.Bench.Features;

/// <summary>
/// bench/features: patients/s building readmission features (each patient's latest discharge, as the nightly job
/// does) for a synthetic population read from PostgreSQL, beside the floor measured in the same run: merely reading
/// the same projection rows, every column of every row, with one streaming query per table.
/// </summary>
public static class FeaturesBenchmark
{
    private static readonly string[] ProjectionQueries =
    [
        "SELECT patient_id, birth_date, sex, deceased, deceased_at, name, mrn FROM patients",
        "SELECT encounter_id, patient_id, status, class_code, type_system, type_code, type_display, period_start, period_end, priority_code, admit_source, discharge_disposition, service_type, locations::text FROM encounters",
        "SELECT condition_id, seq, patient_id, encounter_id, system, code, display, clinical_status, verification_status, category, onset, recorded, abatement FROM conditions",
        "SELECT observation_id, seq, patient_id, encounter_id, system, code, value, unit, original_value, original_unit, value_code, status, effective FROM observations",
        "SELECT procedure_id, patient_id, encounter_id, system, code, display, status, performed_start, performed_end FROM procedures",
        "SELECT medication_request_id, patient_id, encounter_id, system, code, display, status, intent, authored_on FROM medication_requests",
    ];

    public static async Task<int> Main(string[] args)
    {
        var patients = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__ClinicalCds")
            ?? throw new InvalidOperationException("Set ConnectionStrings__ClinicalCds (bench/features/run.sh starts a local PostgreSQL).");
        var database = new NpgsqlConnectionStringBuilder(server) { Database = $"bench_features_{patients}" }.ConnectionString;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ClinicalCds"] = database })
            .Build();
        await using var services = new ServiceCollection().AddLogging().AddClinicalCds(configuration).BuildServiceProvider();
        await BenchSupport.EnsurePopulation(server, services, $"bench_features_{patients}", patients);

        var asOf = new DateTimeOffset(SyntheticOptions.DefaultAsOf);
        var reader = services.GetRequiredService<IPatientTimelineReader>();
        TimeSpan bestFloor = TimeSpan.MaxValue, bestOurs = TimeSpan.MaxValue, bestTimelines = TimeSpan.MaxValue;
        long rows = 0;
        int read = 0, vectors = 0;
        for (var round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            rows = await ReadAllRows(database);
            bestFloor = Min(bestFloor, clock.Elapsed);

            clock.Restart();
            await foreach (var timeline in reader.ReadAllAsync(CancellationToken.None))
            {
                GC.KeepAlive(timeline);
            }

            bestTimelines = Min(bestTimelines, clock.Elapsed);

            clock.Restart();
            (read, vectors) = await BuildFeatures(reader, asOf);
            bestOurs = Min(bestOurs, clock.Elapsed);
        }

        Console.WriteLine();
        Console.WriteLine($"{read:N0} patients, {rows:N0} projection rows; best of {rounds} rounds");
        Console.WriteLine();
        Console.WriteLine("| path | seconds | patients/s |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| read every projection row, one query per table (floor) | {bestFloor.TotalSeconds:F2} | {read / bestFloor.TotalSeconds:N0} |");
        Console.WriteLine($"| timelines only (chunked reads into facts, no features) | {bestTimelines.TotalSeconds:F2} | {read / bestTimelines.TotalSeconds:N0} |");
        Console.WriteLine($"| timelines + readmission features at each latest discharge ({vectors:N0} vectors) | {bestOurs.TotalSeconds:F2} | {read / bestOurs.TotalSeconds:N0} |");
        Console.WriteLine();
        Console.WriteLine($"ratio (ours / floor): {bestOurs.TotalSeconds / bestFloor.TotalSeconds:F2}");
        return read == patients ? 0 : 1;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static async Task<(int Patients, int Vectors)> BuildFeatures(IPatientTimelineReader reader, DateTimeOffset asOf)
    {
        int patients = 0, vectors = 0;
        double checksum = 0;
        await foreach (var timeline in reader.ReadAllAsync(CancellationToken.None))
        {
            patients++;
            var stay = timeline.Encounters.LastOrDefault(e => EncounterKinds.IsInpatient(e) && e.End <= asOf);
            if (stay is null)
            {
                continue;
            }

            var features = FeatureBuilder.Build(timeline, stay.EncounterId, stay.End!.Value)!;
            checksum += FeatureCatalog.Vectorize(features).Values.Sum(v => v ?? 0);
            vectors++;
        }

        return checksum > 0 ? (patients, vectors) : (patients, 0);
    }

    private static async Task<long> ReadAllRows(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        long rows = 0;
        foreach (var sql in ProjectionQueries)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var values = new object[reader.FieldCount];
            while (await reader.ReadAsync())
            {
                reader.GetValues(values);
                rows++;
            }
        }

        return rows;
    }
}
