using ClinicalCds.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh database on the real PostgreSQL that scripts/pg.sh started (ConnectionStrings__ClinicalCds), migrated,
/// and dropped at the end. Each fixture gets its own, so tests never see each other's data.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private readonly string _name = $"test_{Guid.NewGuid():N}";

    public string ConnectionString { get; private set; } = string.Empty;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__ClinicalCds")
        ?? throw new InvalidOperationException("ConnectionStrings__ClinicalCds is not set: run the tests with scripts/test.sh (it starts PostgreSQL).");

    public async Task InitializeAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _name }.ConnectionString;
        await MigrateAsync();
    }

    /// <summary>Migrates to <paramref name="target"/>, or to the latest migration.</summary>
    public async Task MigrateAsync(string? target = null)
    {
        var options = new DbContextOptionsBuilder<ClinicalCdsDbContext>();
        options.UseClinicalCdsDatabase(ConnectionString);
        await using var db = new ClinicalCdsDbContext(options.Options);
        await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(target);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        var server = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters) => ScalarAsync(ConnectionString, sql, parameters);

    /// <summary>One number from any database of the tests' server (or a cluster of a test's own).</summary>
    public static async Task<long> ScalarAsync(string connectionString, string sql, params (string Name, object Value)[] parameters) =>
        Convert.ToInt64(await FirstValueAsync(connectionString, sql, parameters), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<object?> FirstValueAsync(string connectionString, string sql, (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    /// <summary>One text value (null for no row or SQL NULL).</summary>
    public async Task<string?> TextAsync(string sql, params (string Name, object Value)[] parameters) =>
        await FirstValueAsync(ConnectionString, sql, parameters) as string;

    public async Task<Dictionary<string, long>> CountsByTypeAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT resource_type, count(*) FROM fhir_resources WHERE is_current GROUP BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>What the runs and Hangfire hold right now, for the message of a test that waited for a run in vain.</summary>
    public async Task<string> JobsReportAsync()
    {
        string[] queries =
        [
            "SELECT run_id || ' ' || status || ' chunks ' || chunks FROM score_runs ORDER BY run_id",
            "SELECT run_id || ' ' || status || ' x' || count(*) || ' attempts ' || max(attempts) FROM score_run_chunks GROUP BY run_id, status",
            "SELECT 'job ' || coalesce(statename, '-') || ' x' || count(*) FROM hangfire.job GROUP BY statename",
            "SELECT 'queue ' || queue || ' fetched=' || (fetchedat IS NOT NULL) || ' x' || count(*) FROM hangfire.jobqueue GROUP BY queue, fetchedat IS NOT NULL",
            "SELECT 'lock ' || resource || ' since ' || acquired FROM hangfire.lock",
            "SELECT 'server ' || id || ' heartbeat ' || lastheartbeat FROM hangfire.server",
            "SELECT 'failed: ' || left(data::text, 400) FROM hangfire.state WHERE name = 'Failed' ORDER BY id DESC LIMIT 3",
            "SELECT 'pg ' || coalesce(wait_event_type, '-') || '/' || coalesce(wait_event, '-') || ' ' || state || ': ' || left(query, 120) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ];
        var report = new System.Text.StringBuilder();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in queries)
        {
            try
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    report.AppendLine(reader.IsDBNull(0) ? "(null)" : reader.GetString(0));
                }
            }
            catch (PostgresException e)
            {
                report.AppendLine($"({e.MessageText})");
            }
        }

        return report.ToString();
    }
}
