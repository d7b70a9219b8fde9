using System.Diagnostics;
using System.Globalization;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Synthetic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClinicalCds.Bench.Population;

/// <summary>
/// bench/population: a nightly run end to end — `clinicalcds score` enqueues, real `clinicalcds worker` processes claim
/// the chunks, read timelines, build features, run the model, explain and commit — over a 100,000-patient synthetic
/// cohort, beside the floor measured in the same run: streaming the cohort's projection rows out of PostgreSQL with COPY.
/// Throughput with 1 and 2 worker processes (one job at a time each), and 1 process with a job per core (the default).
/// </summary>
public static class PopulationBenchmark
{
    private const int Base = 10_000;
    private static readonly string[] Tables = ["patients", "encounters", "conditions", "observations", "procedures", "medication_requests"];

    public static async Task<int> Main(string[] args)
    {
        var copies = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var cli = args.Length > 1 ? args[1] : throw new ArgumentException("usage: PopulationBenchmark COPIES PATH/TO/clinicalcds.dll");
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__ClinicalCds")
            ?? throw new InvalidOperationException("Set ConnectionStrings__ClinicalCds (bench/population/run.sh starts a local PostgreSQL).");
        var patients = Base * copies;
        var database = new NpgsqlConnectionStringBuilder(server) { Database = $"bench_population_{patients}" }.ConnectionString;
        await EnsureCohort(server, database, copies);

        var asOf = new DateTimeOffset(SyntheticOptions.DefaultAsOf);
        var cohort = $"SELECT DISTINCT patient_id FROM encounters WHERE period_start <= '{asOf:O}' AND period_start > '{asOf:O}'::timestamptz - interval '12 months'";
        var cohortSize = await Scalar(database, $"SELECT count(*) FROM ({cohort}) c");
        Console.WriteLine($"Cohort last-12-months as of {asOf:yyyy-MM-dd}: {cohortSize:N0} of {patients:N0} patients.");

        var clock = Stopwatch.StartNew();
        var (rows, bytes) = await CopyOut(database, cohort);
        var floor = clock.Elapsed;
        Console.WriteLine($"floor: {rows:N0} rows, {bytes / 1e6:N0} MB in {floor.TotalSeconds:F2} s");

        var results = new List<(string Path, double Seconds, long Scored)>();
        foreach (var (label, processes, workersEach) in new[] { ("1 worker process × 1 job", 1, 1), ("2 worker processes × 1 job", 2, 1), ("1 worker process × 2 jobs (default)", 1, 2) })
        {
            var (seconds, scored) = await RunWithWorkers(cli, database, asOf, processes, workersEach);
            Console.WriteLine($"{label}: {seconds:F2} s, {scored:N0} scored");
            results.Add((label, seconds, scored));
        }

        Console.WriteLine();
        Console.WriteLine($"| date | population | path | seconds | patients/s | ratio to floor |");
        Console.WriteLine($"|---|---|---|---:|---:|---:|");
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Console.WriteLine($"| {date} | {cohortSize:N0} of {patients:N0} patients | COPY the cohort's projection rows out ({rows:N0} rows, floor) | {floor.TotalSeconds:F2} | {cohortSize / floor.TotalSeconds:N0} | 1.00 |");
        foreach (var (path, seconds, scored) in results)
        {
            Console.WriteLine($"| {date} | same ({scored:N0} scored, the rest skipped with a reason) | {path} | {seconds:F2} | {cohortSize / seconds:N0} | {seconds / floor.TotalSeconds:F2} |");
        }

        return 0;
    }

    /// <summary>
    /// The cohort: a 10,000-patient synthetic population (seed 2026) imported through the product, then its projection
    /// rows copied <paramref name="copies"/> − 1 times under new ids (suffix "-cN") — the same clinical histories, distinct patients.
    /// </summary>
    private static async Task EnsureCohort(string server, string database, int copies)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        var name = new NpgsqlConnectionStringBuilder(database).Database!;
        if (await Scalar(admin, $"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == 1
            // Done before: the last copy is there (a copy holds only the patients with projection rows, so the patient
            // count is not Base × copies).
            && await Scalar(database, copies == 1 ? "SELECT count(*) FROM patients" : $"SELECT count(*) FROM patients WHERE patient_id LIKE '%-c{copies - 1}'") > 0)
        {
            return;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ClinicalCds"] = database })
            .Build();
        await using (var services = new ServiceCollection().AddLogging().AddClinicalCds(configuration).BuildServiceProvider())
        {
            await BenchSupport.EnsurePopulation(server, services, name, Base);
        }

        Console.WriteLine($"Copying the projections {copies - 1} times under new patient ids ...");
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await BenchSupport.CopyPatientsAsync(connection, Tables, copies - 1, "-c");

        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 0 };
        await vacuum.ExecuteNonQueryAsync();
    }

    /// <summary>The floor: every column of every projection row of the cohort's patients, streamed out with binary COPY.</summary>
    private static async Task<(long Rows, long Bytes)> CopyOut(string database, string cohort)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        long rows = 0, bytes = 0;
        var buffer = new byte[1 << 16];
        foreach (var table in Tables)
        {
            await using (var export = await connection.BeginRawBinaryCopyAsync(
                $"COPY (SELECT t.* FROM {table} t WHERE t.patient_id IN ({cohort})) TO STDOUT (FORMAT binary)"))
            {
                int read;
                while ((read = await export.ReadAsync(buffer.AsMemory(), CancellationToken.None)) > 0)
                {
                    bytes += read;
                }
            }

            rows += await Scalar(database, $"SELECT count(*) FROM {table} t WHERE t.patient_id IN ({cohort})");
        }

        return (rows, bytes);
    }

    /// <summary>Starts the workers, lets them come up, asks for the run and times it from request to close.</summary>
    private static async Task<(double Seconds, long Scored)> RunWithWorkers(string cli, string database, DateTimeOffset asOf, int processes, int jobsEach)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ClinicalCds"] = database,
            ["Scoring__AsOf"] = asOf.ToString("O"),
            ["Scoring__Cron"] = "0 3 1 1 *",
            ["Jobs__WorkerCount"] = jobsEach.ToString(CultureInfo.InvariantCulture),
            ["Jobs__QueuePollIntervalSeconds"] = "1",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var workers = Enumerable.Range(0, processes).Select(_ => Start(cli, environment, "worker")).ToList();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(8));
            var before = await Scalar(database, "SELECT coalesce(max(run_id), 0) FROM score_runs");
            var clock = Stopwatch.StartNew();
            using (var score = Start(cli, environment, "score", "--cohort", "last-12-months", "--model", "readmission"))
            {
                await score.WaitForExitAsync();
            }

            while (await Scalar(database, $"SELECT count(*) FROM score_runs WHERE run_id > {before} AND status = 'completed'") == 0)
            {
                await Task.Delay(50);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            // The path named is the model's: a run answered by the published-score fallback (no model loaded, or a version
            // that has not gone live) is not this benchmark, and fails it.
            var byPublishedScore = await Scalar(database,
                $"SELECT count(*) FROM risk_scores WHERE run_id > {before} AND status = 'scored' AND method NOT LIKE 'readmission model %'");
            var scored = await Scalar(database, $"SELECT scored FROM score_runs WHERE run_id > {before}");
            if (scored == 0 || byPublishedScore > 0)
            {
                throw new InvalidOperationException($"The run did not score with the readmission model: {scored} scored, {byPublishedScore} by a published score.");
            }

            return (seconds, scored);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
                worker.Dispose();
            }
        }
    }

    private static Process Start(string cli, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task<long> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
