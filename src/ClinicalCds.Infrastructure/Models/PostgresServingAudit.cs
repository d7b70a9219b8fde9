using ClinicalCds.Application.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace ClinicalCds.Infrastructure.Models;

/// <summary>model_serving_changes: every promotion and rollback, never updated or deleted.</summary>
public sealed class PostgresServingAudit(NpgsqlDataSource dataSource) : IServingAudit
{
    public async Task RecordAsync(ServingChange change, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO model_serving_changes (at, model, action, from_version, to_version, actor, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        command.Parameters.Add(new() { Value = change.At });
        command.Parameters.Add(new() { Value = change.Model });
        command.Parameters.Add(new() { Value = change.Action });
        command.Parameters.Add(new() { Value = (object?)change.FromVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = change.ToVersion });
        command.Parameters.Add(new() { Value = change.Actor });
        command.Parameters.Add(new() { Value = (object?)change.Reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ServingChange>> ListAsync(string? model, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT at, model, action, from_version, to_version, actor, reason FROM model_serving_changes
            WHERE $1::text IS NULL OR model = $1 ORDER BY at DESC, id DESC LIMIT $2
            """);
        command.Parameters.Add(new() { Value = (object?)model ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = limit });
        var changes = new List<ServingChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new ServingChange(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return changes;
    }
}
