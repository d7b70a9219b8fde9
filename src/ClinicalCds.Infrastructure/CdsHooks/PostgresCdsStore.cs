using ClinicalCds.Application.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace ClinicalCds.Infrastructure.CdsHooks;

public sealed class PostgresCdsStore(NpgsqlDataSource dataSource) : ICdsStore, ITokenReplayGuard
{
    public async Task RecordCardsAsync(IReadOnlyList<IssuedCard> cards, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var card in cards)
        {
            var command = new NpgsqlBatchCommand(
                "INSERT INTO cds_cards (uuid, service_id, hook_instance, patient_id, indicator, summary, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7)");
            command.Parameters.Add(new() { Value = card.Uuid });
            command.Parameters.Add(new() { Value = card.ServiceId });
            command.Parameters.Add(new() { Value = card.HookInstance });
            command.Parameters.Add(new() { Value = card.PatientId });
            command.Parameters.Add(new() { Value = card.Indicator });
            command.Parameters.Add(new() { Value = card.Summary });
            command.Parameters.Add(new() { Value = card.IssuedAt });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<Guid, string>> IssuedByAsync(IReadOnlyCollection<Guid> uuids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT uuid, service_id FROM cds_cards WHERE uuid = ANY($1)");
        command.Parameters.Add(new() { Value = uuids.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var issued = new Dictionary<Guid, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            issued[reader.GetGuid(0)] = reader.GetString(1);
        }

        return issued;
    }

    public async Task<int> RecordFeedbackAsync(IReadOnlyList<FeedbackRecord> feedback, CancellationToken cancellationToken)
    {
        // One round trip; Npgsql runs a batch without an explicit transaction as one implicit transaction: all or none.
        await using var batch = dataSource.CreateBatch();
        foreach (var item in feedback)
        {
            var command = new NpgsqlBatchCommand(
                """
                INSERT INTO cds_feedback (card_uuid, service_id, outcome, outcome_timestamp, content, content_hash, client_id, received_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, now())
                ON CONFLICT (content_hash) DO NOTHING
                """);
            command.Parameters.Add(new() { Value = item.CardUuid });
            command.Parameters.Add(new() { Value = item.ServiceId });
            command.Parameters.Add(new() { Value = item.Outcome });
            command.Parameters.Add(new() { Value = item.OutcomeTimestamp });
            command.Parameters.Add(new() { Value = item.ContentJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
            command.Parameters.Add(new() { Value = item.ContentHash });
            command.Parameters.Add(new() { Value = (object?)item.ClientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        var stored = 0;
        foreach (var command in batch.BatchCommands)
        {
            stored += command.RecordsAffected;
        }

        return stored;
    }

    public async Task AuditAsync(HookAudit audit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO cds_audit (at, service_id, hook_instance, client_id, user_id, patient_id, status, outcome, latency_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """);
        command.Parameters.Add(new() { Value = audit.At });
        command.Parameters.Add(new() { Value = audit.ServiceId });
        foreach (var text in new[] { audit.HookInstance, audit.ClientId, audit.UserId, audit.PatientId })
        {
            command.Parameters.Add(new() { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        }

        command.Parameters.Add(new() { Value = audit.Status });
        command.Parameters.Add(new() { Value = audit.Outcome });
        command.Parameters.Add(new() { Value = audit.LatencyMs });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a JWT id for its lifetime; false when the issuer already used it (a replay).</summary>
    public async Task<bool> TryUseTokenAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO cds_token_uses (issuer, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
        command.Parameters.Add(new() { Value = issuer });
        command.Parameters.Add(new() { Value = jti });
        command.Parameters.Add(new() { Value = expiresAt });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Forgets token ids that expired before <paramref name="before"/>: such a token is refused for its exp anyway, so
    /// its id no longer needs remembering. Returns how many were forgotten.
    /// </summary>
    public async Task<int> ForgetTokensExpiredBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM cds_token_uses WHERE expires_at < $1");
        command.Parameters.Add(new() { Value = before });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
