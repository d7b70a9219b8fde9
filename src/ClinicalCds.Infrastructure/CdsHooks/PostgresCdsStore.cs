using ClinicalCds.Application.Abstractions;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace ClinicalCds.Infrastructure.CdsHooks;

public sealed class PostgresCdsStore(NpgsqlDataSource dataSource) : ICdsStore, ITokenReplayGuard, IFeedbackAnalytics
{
    public async Task<IReadOnlyDictionary<Guid, CardOffer>> OffersAsync(IReadOnlyCollection<Guid> uuids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT uuid, service_id, suggestion_ids, override_reasons FROM cds_cards WHERE uuid = ANY($1)");
        command.Parameters.Add(new() { Value = uuids.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var offers = new Dictionary<Guid, CardOffer>();
        while (await reader.ReadAsync(cancellationToken))
        {
            offers[reader.GetGuid(0)] = new CardOffer(
                reader.GetString(1), reader.GetFieldValue<Guid[]>(2).ToHashSet(), reader.GetFieldValue<string[]>(3).ToHashSet(StringComparer.Ordinal));
        }

        return offers;
    }

    public async Task<FeedbackStored> RecordFeedbackAsync(IReadOnlyList<FeedbackRecord> feedback, CancellationToken cancellationToken)
    {
        // One transaction: the cards are locked, so two requests answering the same card at once cannot both win.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var existing = new Dictionary<Guid, string?>();
        await using (var command = new NpgsqlCommand("SELECT uuid, outcome_key FROM cds_cards WHERE uuid = ANY($1) ORDER BY uuid FOR UPDATE", connection, transaction))
        {
            command.Parameters.Add(new() { Value = feedback.Select(f => f.CardUuid).Distinct().ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                existing[reader.GetGuid(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }

        var conflicts = feedback.Where(f => existing.GetValueOrDefault(f.CardUuid) is { } key && key != f.OutcomeKey).Select(f => f.CardUuid).ToList();
        if (conflicts.Count > 0)
        {
            return new FeedbackStored(0, conflicts);
        }

        var fresh = feedback.Where(f => existing.GetValueOrDefault(f.CardUuid) is null).ToList();
        if (fresh.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var item in fresh)
            {
                var outcome = new NpgsqlBatchCommand("UPDATE cds_cards SET outcome = $2, outcome_key = $3 WHERE uuid = $1");
                outcome.Parameters.Add(new() { Value = item.CardUuid });
                outcome.Parameters.Add(new() { Value = item.Outcome });
                outcome.Parameters.Add(new() { Value = item.OutcomeKey });
                batch.BatchCommands.Add(outcome);

                var insert = new NpgsqlBatchCommand(
                    """
                    INSERT INTO cds_feedback (card_uuid, service_id, outcome, outcome_timestamp, content, content_hash, client_id, received_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, now())
                    ON CONFLICT (content_hash) DO NOTHING
                    """);
                insert.Parameters.Add(new() { Value = item.CardUuid });
                insert.Parameters.Add(new() { Value = item.ServiceId });
                insert.Parameters.Add(new() { Value = item.Outcome });
                insert.Parameters.Add(new() { Value = item.OutcomeTimestamp });
                insert.Parameters.Add(new() { Value = item.ContentJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
                insert.Parameters.Add(new() { Value = item.ContentHash });
                insert.Parameters.Add(new() { Value = (object?)item.ClientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new FeedbackStored(fresh.Count, []);
    }

    public async Task<IReadOnlyList<FeedbackMonth>> FeedbackByMonthAsync(CancellationToken cancellationToken)
    {
        // The reason of an overridden card is the third part of its outcome key ("overridden;;system|code").
        await using var command = dataSource.CreateCommand("""
            SELECT date_trunc('month', issued_at AT TIME ZONE 'UTC')::date, service_id, indicator,
                   count(*), count(*) FILTER (WHERE outcome = 'accepted'), count(*) FILTER (WHERE outcome = 'overridden'),
                   count(*) FILTER (WHERE cardinality(suggestion_ids) > 0),
                   coalesce(jsonb_object_agg(reason, n) FILTER (WHERE reason IS NOT NULL), '{}'::jsonb)::text
            FROM (
                SELECT c.*, r.reason, count(*) OVER (PARTITION BY date_trunc('month', c.issued_at AT TIME ZONE 'UTC'), c.service_id, c.indicator, r.reason) AS n
                FROM cds_cards c
                CROSS JOIN LATERAL (SELECT CASE WHEN c.outcome = 'overridden' THEN nullif(split_part(c.outcome_key, ';', 3), '') END AS reason) r
            ) cards
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3
            """);
        var months = new List<FeedbackMonth>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            months.Add(new FeedbackMonth(
                DateOnly.FromDateTime(reader.GetDateTime(0)), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6),
                System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(7)) ?? []));
        }

        return months;
    }

    public async Task<IReadOnlyList<PatientCardFeedback>> PatientFeedbackAsync(string patientId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT issued_at, service_id, indicator, summary, outcome,
                   CASE WHEN outcome = 'overridden' THEN nullif(split_part(outcome_key, ';', 3), '') END
            FROM cds_cards WHERE patient_id = $1 ORDER BY issued_at DESC LIMIT $2
            """);
        command.Parameters.Add(new() { Value = patientId });
        command.Parameters.Add(new() { Value = limit });
        var cards = new List<PatientCardFeedback>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            cards.Add(new PatientCardFeedback(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return cards;
    }

    public async Task RecordCallAsync(HookAudit audit, HookScore? served, IReadOnlyList<IssuedCard> cards, CancellationToken cancellationToken)
    {
        // One batch, one round trip: without an explicit transaction PostgreSQL runs it as one implicit transaction
        // (a single Sync), so the audit row, the served score and the cards are kept together or not at all.
        await using var batch = dataSource.CreateBatch();
        foreach (var command in cards.Select(Card).Prepend(Audit(audit)).Concat(served is null ? [] : Served(served)))
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Audit(HookAudit audit)
    {
        var command = new NpgsqlBatchCommand(
            """
            INSERT INTO cds_audit (at, service_id, hook_instance, client_id, user_id, patient_id, status, outcome, latency_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """);
        command.Parameters.Add(new() { Value = audit.At });
        command.Parameters.Add(new() { Value = audit.ServiceId });
        foreach (var text in new[] { audit.HookInstance, audit.ClientId, audit.UserId, audit.PatientId })
        {
            command.Parameters.Add(Text(text));
        }

        command.Parameters.Add(new() { Value = audit.Status });
        command.Parameters.Add(new() { Value = audit.Outcome });
        command.Parameters.Add(new() { Value = audit.LatencyMs });
        return command;
    }

    private static NpgsqlBatchCommand Card(IssuedCard card)
    {
        var command = new NpgsqlBatchCommand(
            """
            INSERT INTO cds_cards (uuid, service_id, hook_instance, patient_id, indicator, summary, issued_at, suggestion_ids, override_reasons)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """);
        command.Parameters.Add(new() { Value = card.Uuid });
        command.Parameters.Add(new() { Value = card.ServiceId });
        command.Parameters.Add(new() { Value = card.HookInstance });
        command.Parameters.Add(new() { Value = card.PatientId });
        command.Parameters.Add(new() { Value = card.Indicator });
        command.Parameters.Add(new() { Value = card.Summary });
        command.Parameters.Add(new() { Value = card.IssuedAt });
        command.Parameters.Add(new() { Value = card.SuggestionIds.ToArray() });
        command.Parameters.Add(new() { Value = card.OverrideReasons.ToArray() });
        return command;
    }

    /// <summary>The active model's score (what the card showed) and a candidate's beside it (shadow mode, never shown).</summary>
    private static IEnumerable<NpgsqlBatchCommand> Served(HookScore score)
    {
        var inputs = JsonSerializer.Serialize(score.Inputs);
        if (score.ActiveProbability is { } probability)
        {
            // The same call again (a retry, a refreshed chart) at the same instant is the same score: kept once.
            var active = new NpgsqlBatchCommand(
                """
                INSERT INTO hook_scores (model, method, hook_instance, patient_id, encounter_id, features_as_of, scored_at, probability, tier, inputs)
                VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8, $9)
                ON CONFLICT (method, patient_id, encounter_id, features_as_of) DO NOTHING
                """);
            active.Parameters.Add(new() { Value = score.Model });
            active.Parameters.Add(new() { Value = score.ActiveMethod });
            active.Parameters.Add(Text(score.HookInstance));
            active.Parameters.Add(new() { Value = score.PatientId });
            active.Parameters.Add(new() { Value = score.EncounterId });
            active.Parameters.Add(new() { Value = score.Instant });
            active.Parameters.Add(new() { Value = probability });
            active.Parameters.Add(new() { Value = score.ActiveTier });
            active.Parameters.Add(new() { Value = inputs, NpgsqlDbType = NpgsqlDbType.Jsonb });
            yield return active;
        }

        if (score.Candidate is { } candidate)
        {
            var shadow = new NpgsqlBatchCommand(
                """
                INSERT INTO shadow_scores (model, method, source, hook_instance, patient_id, encounter_id, features_as_of, scored_at, probability, tier,
                                           active_method, active_probability, active_tier, inputs)
                VALUES ($1, $2, 'hook', $3, $4, $5, $6, now(), $7, $8, $9, $10, $11, $12)
                """);
            shadow.Parameters.Add(new() { Value = score.Model });
            shadow.Parameters.Add(new() { Value = candidate.Method });
            shadow.Parameters.Add(Text(score.HookInstance));
            shadow.Parameters.Add(new() { Value = score.PatientId });
            shadow.Parameters.Add(new() { Value = score.EncounterId });
            shadow.Parameters.Add(new() { Value = score.Instant });
            shadow.Parameters.Add(new() { Value = candidate.Probability });
            shadow.Parameters.Add(new() { Value = candidate.Tier });
            shadow.Parameters.Add(new() { Value = score.ActiveMethod });
            shadow.Parameters.Add(new() { Value = (object?)score.ActiveProbability ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
            shadow.Parameters.Add(new() { Value = score.ActiveTier });
            shadow.Parameters.Add(new() { Value = inputs, NpgsqlDbType = NpgsqlDbType.Jsonb });
            yield return shadow;
        }
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

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
