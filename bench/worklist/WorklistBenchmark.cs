using System.Diagnostics;
using System.Globalization;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Worklist;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClinicalCds.Bench.Worklist;

/// <summary>
/// bench/worklist: server time of the worklist's queries (the store call behind the page and the API) with 100,000
/// scored patients, beside the floor: the bare index-ordered read of the same page from latest_risk_scores.
/// Needs bench/population's database (100,000 patients); gives every patient of it a latest readmission score first.
/// </summary>
public static class WorklistBenchmark
{
    private const int Rounds = 200;

    public static async Task<int> Main(string[] args)
    {
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__ClinicalCds")
            ?? throw new InvalidOperationException("Set ConnectionStrings__ClinicalCds (bench/worklist/run.sh starts a local PostgreSQL).");
        var source = args.Length > 0 ? args[0] : "bench_population_100000";
        var copies = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        var database = copies == 0
            ? new NpgsqlConnectionStringBuilder(server) { Database = source }.ConnectionString
            : await Enlarge(server, source, copies);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ClinicalCds"] = database })
            .Build();
        await using var services = new ServiceCollection().AddLogging().AddClinicalCds(configuration).BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ClinicalCds.Infrastructure.Persistence.DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        }

        await EnsureScores(database);
        var store = services.GetRequiredService<IWorklistStore>();
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();

        var cases = new (string Name, Func<Task<long>> Run)[]
        {
            ("floor: bare page of latest_risk_scores in index order", async () =>
            {
                await using var command = dataSource.CreateCommand(
                    "SELECT patient_id, probability, tier FROM latest_risk_scores WHERE model = 'readmission' ORDER BY tier_rank DESC, probability DESC, patient_id LIMIT 25");
                long n = 0;
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    n++;
                }

                return n;
            }),
            ("first page (readmission, by risk, with total)", async () =>
                (await store.QueryAsync(new WorklistFilter(), "bench", CancellationToken.None)).Total),
            ("filtered page (high + moderate, unreviewed, discharged in June 2026)", async () =>
                (await store.QueryAsync(new WorklistFilter(Tiers: ["high", "moderate"], UnreviewedOnly: true,
                    DischargedFrom: new DateOnly(2026, 6, 1), DischargedTo: new DateOnly(2026, 6, 30)), "bench", CancellationToken.None)).Total),
            ("search by name", async () =>
                (await store.QueryAsync(new WorklistFilter(Search: "Garc"), "bench", CancellationToken.None)).Total),
            ("page 200, sorted by discharge", async () =>
                (await store.QueryAsync(new WorklistFilter(Sort: WorklistSort.Discharge, Page: 200), "bench", CancellationToken.None)).Total),
        };

        var scored = await Scalar(database, "SELECT count(*) FROM latest_risk_scores WHERE model = 'readmission'");
        Console.WriteLine($"| date | scored patients | query | total | p50 ms | p99 ms |");
        Console.WriteLine($"|---|---:|---|---:|---:|---:|");
        foreach (var (name, run) in cases)
        {
            long total = 0;
            for (var i = 0; i < 20; i++)
            {
                total = await run();
            }

            var times = new List<double>(Rounds);
            for (var i = 0; i < Rounds; i++)
            {
                var clock = Stopwatch.GetTimestamp();
                await run();
                times.Add(Stopwatch.GetElapsedTime(clock).TotalMilliseconds);
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {DateTime.UtcNow:yyyy-MM-dd} | {scored:N0} | {name} | {total:N0} | {times[Rounds / 2]:F2} | {times[(int)(Rounds * 0.99)]:F2} |"));
        }

        return 0;
    }

    /// <summary>
    /// Every patient of the population gets a latest readmission score at their latest inpatient stay: probability and
    /// factor taken from the real run's scores (patient i gets the score of scored patient i mod n), so the table has
    /// the size, shape and value distribution of 100,000 real scores.
    /// </summary>
    private static async Task EnsureScores(string database)
    {
        var stays = await Scalar(database, "SELECT count(DISTINCT patient_id) FROM encounters WHERE period_end IS NOT NULL");
        if (await Scalar(database, "SELECT count(*) FROM latest_risk_scores WHERE model = 'readmission' AND discharge IS NOT NULL") >= stays)
        {
            return;
        }

        Console.WriteLine("Giving every patient a latest readmission score (once) ...");
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        // Names and MRNs of patients projected before the projection kept them (copies take their original's).
        await using (var names = new NpgsqlCommand(
            """
            UPDATE patients p SET name = (r.content -> 'name' -> 0 -> 'given' ->> 0) || ' ' || (r.content -> 'name' -> 0 ->> 'family'),
                                  mrn = (r.content -> 'identifier' -> 0 ->> 'value') || coalesce(substring(p.patient_id from '-c[0-9]+$'), '')
            FROM fhir_resources r
            WHERE p.name IS NULL AND r.resource_type = 'Patient' AND r.is_current AND r.id = regexp_replace(p.patient_id, '-c[0-9]+$', '')
            """, connection) { CommandTimeout = 0 })
        {
            await names.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(
            """
            WITH real AS (SELECT row_number() OVER (ORDER BY patient_id) - 1 AS i, * FROM latest_risk_scores WHERE model = 'readmission'),
            n AS (SELECT count(*) AS n FROM real),
            stays AS (SELECT DISTINCT ON (patient_id) patient_id, encounter_id, period_end, service_type FROM encounters
                      WHERE period_end IS NOT NULL ORDER BY patient_id, (class_code = 'IMP') DESC, period_end DESC),
            numbered AS (SELECT row_number() OVER (ORDER BY patient_id) - 1 AS i, * FROM stays)
            INSERT INTO latest_risk_scores (patient_id, model, run_id, as_of, scored_at, encounter_id, features_as_of, probability, tier, tier_rank,
                                            previous_tier, previous_probability, tier_changed, summary, top_factor, published_score, method,
                                            service, discharge)
            SELECT s.patient_id, 'readmission', r.run_id, r.as_of, r.scored_at, s.encounter_id, s.period_end, r.probability, r.tier, r.tier_rank,
                   r.previous_tier, r.previous_probability, r.tier_changed, r.summary, r.top_factor, r.published_score, r.method,
                   coalesce(s.service_type, 'general'), s.period_end
            FROM numbered s CROSS JOIN n JOIN real r ON r.i = s.i % n.n
            ON CONFLICT (patient_id, model) DO UPDATE SET service = excluded.service, discharge = excluded.discharge
            """, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE latest_risk_scores", connection) { CommandTimeout = 0 };
        await vacuum.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A copy of <paramref name="source"/> (bench/population's database) with <paramref name="copies"/> more copies of its
    /// 10,000 original patients and their stays (ids suffixed "-wN"), so that more than 100,000 patients have a stay.
    /// </summary>
    private static async Task<string> Enlarge(string server, string source, int copies)
    {
        var name = $"{source}_plus{copies}";
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        var database = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        if (await Scalar(admin, $"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == 1)
        {
            return database;
        }

        Console.WriteLine($"Copying {source} to {name} and adding {copies} copies of its original patients (once) ...");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {source}", connection) { CommandTimeout = 0 };
            await create.ExecuteNonQueryAsync();
        }

        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await BenchSupport.CopyPatientsAsync(connection, ["patients", "encounters"], copies, "-w", "mrn");
        }

        return database;
    }

    private static async Task<long> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
