using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Infrastructure.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace ClinicalCds.Infrastructure.Scoring;

/// <summary>
/// Runs, chunks and score history in PostgreSQL. Every write that must be all-or-nothing is one transaction: a run with
/// its chunks; a chunk's scores with the latest-score table, the chunk's status and (for the last chunk) the run's close.
/// </summary>
public sealed class PostgresScoringStore(NpgsqlDataSource dataSource) : IScoringStore
{
    private const string Pending = "pending";
    private const string Running = "running";
    private const string Done = "done";

    public async Task<RunStart> StartRunAsync(RunRequest request, int chunkSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long? created;
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO score_runs (request_key, cohort, model, as_of, trigger, status, patients, chunks, scored, skipped, failed,
                                    tier_changes, skip_reasons, methods, created_at)
            VALUES ($1, $2, $3, $4, $5, 'running', 0, 0, 0, 0, 0, 0, '{}', '{}', now())
            ON CONFLICT (request_key) DO NOTHING
            RETURNING run_id
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = request.RequestKey });
            insert.Parameters.Add(new() { Value = request.Cohort });
            insert.Parameters.Add(new() { Value = request.Model });
            insert.Parameters.Add(new() { Value = request.AsOf });
            insert.Parameters.Add(new() { Value = request.Trigger });
            created = (long?)await insert.ExecuteScalarAsync(cancellationToken);
        }

        if (created is not { } runId)
        {
            // The same request again (a retried orchestrator job): hand back what is left of the run it created.
            await using var existing = new NpgsqlCommand(
                """
                SELECT r.run_id, coalesce(array_agg(c.chunk_no ORDER BY c.chunk_no) FILTER (WHERE c.status <> 'done'), '{}')
                FROM score_runs r LEFT JOIN score_run_chunks c ON c.run_id = r.run_id
                WHERE r.request_key = $1 GROUP BY r.run_id
                """, connection, transaction);
            existing.Parameters.Add(new() { Value = request.RequestKey });
            await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new RunStart(reader.GetInt64(0), false, reader.GetFieldValue<int[]>(1));
        }

        var (condition, parameters) = CohortCondition(request.Definition, request.AsOf);
        var chunks = new List<int>();
        await using (var split = new NpgsqlCommand(
            $"""
            WITH cohort AS (SELECT DISTINCT patient_id FROM encounters WHERE {condition}),
            numbered AS (SELECT patient_id, ((row_number() OVER (ORDER BY patient_id)) - 1) / $2 AS chunk_no FROM cohort)
            INSERT INTO score_run_chunks (run_id, chunk_no, patient_ids, status, attempts, delivery_attempts)
            SELECT $1, chunk_no, array_agg(patient_id ORDER BY patient_id), 'pending', 0, 0 FROM numbered GROUP BY chunk_no
            RETURNING chunk_no
            """, connection, transaction))
        {
            split.Parameters.Add(new() { Value = runId });
            split.Parameters.Add(new() { Value = (long)chunkSize });
            split.Parameters.AddRange(parameters);
            await using var reader = await split.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                chunks.Add((int)reader.GetInt64(0));
            }
        }

        await using (var counts = new NpgsqlCommand(
            """
            UPDATE score_runs SET
                chunks = (SELECT count(*) FROM score_run_chunks WHERE run_id = $1),
                patients = (SELECT coalesce(sum(cardinality(patient_ids)), 0) FROM score_run_chunks WHERE run_id = $1),
                status = CASE WHEN EXISTS (SELECT 1 FROM score_run_chunks WHERE run_id = $1) THEN 'running' ELSE 'completed' END,
                finished_at = CASE WHEN EXISTS (SELECT 1 FROM score_run_chunks WHERE run_id = $1) THEN NULL ELSE now() END
            WHERE run_id = $1
            """, connection, transaction))
        {
            counts.Parameters.Add(new() { Value = runId });
            await counts.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        chunks.Sort();
        return new RunStart(runId, true, chunks);
    }

    /// <summary>
    /// The cohort as a condition on the encounters projection, with the same meaning of "inpatient" and "took place" as
    /// the features (<see cref="EncounterKinds"/>). Parameters are numbered from $3.
    /// </summary>
    private static (string Sql, NpgsqlParameter[] Parameters) CohortCondition(CohortOptions cohort, DateTimeOffset asOf)
    {
        const string happened = "NOT (coalesce(status, '') = ANY($4))";
        const string inpatient = $"kind = $5 AND {happened}";
        var parameters = new List<NpgsqlParameter>
        {
            new() { Value = asOf },
            new() { Value = EncounterKinds.NotHappenedStatuses.ToArray() },
            new() { Value = EncounterKindCodes.Of(EncounterKind.Inpatient) },
        };
        var sql = cohort.Kind switch
        {
            CohortKind.Admitted => $"{inpatient} AND period_start <= $3 AND (period_end IS NULL OR period_end > $3)",
            CohortKind.DischargedWithin => $"{inpatient} AND period_end <= $3 AND period_end > $3 - make_interval(days => $6)",
            _ => $"{happened} AND period_start <= $3 AND period_start > $3 - make_interval(months => $6)",
        };
        if (cohort.Kind != CohortKind.Admitted)
        {
            parameters.Add(new() { Value = cohort.Kind == CohortKind.DischargedWithin ? cohort.Days : cohort.Months });
        }

        return (sql, [.. parameters]);
    }

    public async Task<ChunkWork?> ClaimChunkAsync(long runId, int chunkNo, string worker, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE score_run_chunks c SET status = 'running', attempts = c.attempts + 1, worker = $3, started_at = now()
            FROM score_runs r
            WHERE c.run_id = $1 AND c.chunk_no = $2 AND c.status <> 'done' AND r.run_id = c.run_id
            RETURNING c.patient_ids, r.model, r.as_of
            """);
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = chunkNo });
        command.Parameters.Add(new() { Value = worker });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ChunkWork(runId, chunkNo, reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<string[]>(0))
            : null;
    }

    public async Task CompleteChunkAsync(
        long runId, int chunkNo, IReadOnlyList<ScoreRecord> records, double elapsedMs, bool awaitsDelivery, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // 1. The history rows, upserted on (run, patient, model); the previous tier is the latest score's, unless that
        //    latest score is this run's own (a retry) or the same method's at the same instant (another run whose cohort
        //    overlaps this one's: the same score again, not a change), whose previous tier is kept.
        await using (var upsert = new NpgsqlCommand(
            """
            WITH run AS (SELECT model, as_of FROM score_runs WHERE run_id = $1),
            input AS (
                SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::float8[], $8::text[],
                                     $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::jsonb[], $14::text[])
                    AS t(patient_id, status, reason, encounter_id, features_as_of, probability, tier, summary, top_factors, published_score, method,
                         inputs, not_recorded))
            INSERT INTO risk_scores (run_id, patient_id, model, as_of, scored_at, status, reason, encounter_id, features_as_of, probability,
                                     tier, previous_tier, summary, top_factors, published_score, method, inputs, not_recorded)
            SELECT $1, i.patient_id, run.model, run.as_of, now(), i.status, i.reason, i.encounter_id, i.features_as_of, i.probability,
                   i.tier, CASE WHEN l.run_id = $1 OR (l.as_of = run.as_of AND l.method IS NOT DISTINCT FROM i.method) THEN l.previous_tier ELSE l.tier END, i.summary, i.top_factors, i.published_score, i.method,
                   i.inputs, i.not_recorded
            FROM input i CROSS JOIN run
            LEFT JOIN latest_risk_scores l ON l.patient_id = i.patient_id AND l.model = run.model
            ON CONFLICT (run_id, patient_id, model) DO UPDATE SET
                scored_at = excluded.scored_at, status = excluded.status, reason = excluded.reason, encounter_id = excluded.encounter_id,
                features_as_of = excluded.features_as_of, probability = excluded.probability, tier = excluded.tier,
                previous_tier = excluded.previous_tier, summary = excluded.summary, top_factors = excluded.top_factors,
                published_score = excluded.published_score, method = excluded.method, inputs = excluded.inputs,
                not_recorded = excluded.not_recorded
            """, connection, transaction))
        {
            upsert.Parameters.Add(new() { Value = runId });
            AddArray(upsert, records, r => r.PatientId);
            AddArray(upsert, records, r => r.Status.ToString().ToLowerInvariant());
            AddArray(upsert, records, r => r.Reason);
            AddArray(upsert, records, r => r.EncounterId);
            upsert.Parameters.Add(new() { Value = records.Select(r => r.FeaturesAsOf).ToArray() });
            upsert.Parameters.Add(new() { Value = records.Select(r => r.Probability).ToArray() });
            AddArray(upsert, records, r => r.Tier);
            AddArray(upsert, records, r => r.Summary);
            upsert.Parameters.Add(new()
            {
                Value = records.Select(r => r.TopFactors is null ? null : JsonSerializer.Serialize(r.TopFactors)).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            });
            AddArray(upsert, records, r => r.PublishedScore);
            AddArray(upsert, records, r => r.Method);
            upsert.Parameters.Add(new()
            {
                Value = records.Select(r => r.Inputs is null ? null : JsonSerializer.Serialize(r.Inputs)).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            });
            AddArray(upsert, records, r => r.NotRecorded);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        // 1b. A candidate version's scores of the same targets, beside the active one's (never shown).
        var shadowed = records.Where(r => r.Candidate is not null && r.Status == ScoreStatus.Scored).ToList();
        if (shadowed.Count > 0)
        {
            await using var shadow = new NpgsqlCommand(
                """
                INSERT INTO shadow_scores (model, method, source, run_id, patient_id, encounter_id, features_as_of, scored_at, probability, tier,
                                           active_method, active_probability, active_tier, inputs)
                SELECT s.model, c.method, 'run', s.run_id, s.patient_id, s.encounter_id, s.features_as_of, s.scored_at, c.probability, c.tier,
                       s.method, s.probability, s.tier, s.inputs
                FROM unnest($2::text[], $3::text[], $4::float8[], $5::text[]) AS c(patient_id, method, probability, tier)
                JOIN risk_scores s ON s.run_id = $1 AND s.patient_id = c.patient_id AND s.status = 'scored'
                ON CONFLICT (run_id, patient_id, model) DO UPDATE SET
                    method = excluded.method, encounter_id = excluded.encounter_id, features_as_of = excluded.features_as_of,
                    scored_at = excluded.scored_at, probability = excluded.probability, tier = excluded.tier, active_method = excluded.active_method,
                    active_probability = excluded.active_probability, active_tier = excluded.active_tier, inputs = excluded.inputs
                """, connection, transaction);
            shadow.Parameters.Add(new() { Value = runId });
            AddArray(shadow, shadowed, r => r.PatientId);
            AddArray(shadow, shadowed, r => r.Candidate!.Method);
            shadow.Parameters.Add(new() { Value = shadowed.Select(r => r.Candidate!.Probability).ToArray() });
            AddArray(shadow, shadowed, r => r.Candidate!.Tier);
            await shadow.ExecuteNonQueryAsync(cancellationToken);
        }

        // 2. The latest score of each patient moves forward (never back to an older run); a patient this run found
        //    without a current risk (skipped) leaves the worklist.
        var patients = records.Select(r => r.PatientId).ToArray();
        await ExecuteAsync(connection, transaction, cancellationToken,
            ("""
            INSERT INTO latest_risk_scores AS l (patient_id, model, run_id, as_of, scored_at, encounter_id, features_as_of, probability, tier,
                                                 tier_rank, previous_tier, previous_probability, tier_changed, summary, top_factor,
                                                 published_score, method, service, discharge)
            SELECT s.patient_id, s.model, s.run_id, s.as_of, s.scored_at, s.encounter_id, s.features_as_of, s.probability, s.tier,
                   CASE s.tier WHEN 'high' THEN 2 WHEN 'moderate' THEN 1 ELSE 0 END, NULL, NULL, false, s.summary,
                   s.top_factors ->> 0, s.published_score, s.method, e.service_type, CASE WHEN e.period_end <= s.as_of THEN e.period_end END
            FROM risk_scores s LEFT JOIN encounters e ON e.encounter_id = s.encounter_id
            WHERE s.run_id = $1 AND s.patient_id = ANY($2) AND s.status = 'scored'
            ORDER BY s.patient_id, s.model -- one lock order for runs of the same model writing the same patients
            ON CONFLICT (patient_id, model) DO UPDATE SET
                previous_tier = CASE WHEN (l.run_id = excluded.run_id OR (l.as_of = excluded.as_of AND l.method IS NOT DISTINCT FROM excluded.method)) THEN l.previous_tier ELSE l.tier END,
                previous_probability = CASE WHEN (l.run_id = excluded.run_id OR (l.as_of = excluded.as_of AND l.method IS NOT DISTINCT FROM excluded.method)) THEN l.previous_probability ELSE l.probability END,
                tier_changed = coalesce((CASE WHEN (l.run_id = excluded.run_id OR (l.as_of = excluded.as_of AND l.method IS NOT DISTINCT FROM excluded.method)) THEN l.previous_tier ELSE l.tier END) <> excluded.tier, false),
                run_id = excluded.run_id, as_of = excluded.as_of, scored_at = excluded.scored_at, encounter_id = excluded.encounter_id,
                features_as_of = excluded.features_as_of, probability = excluded.probability, tier = excluded.tier,
                tier_rank = excluded.tier_rank, summary = excluded.summary, top_factor = excluded.top_factor,
                published_score = excluded.published_score, method = excluded.method, service = excluded.service,
                discharge = excluded.discharge
            WHERE (excluded.as_of, excluded.run_id) >= (l.as_of, l.run_id)
            """, [runId, patients]),
            ("""
            DELETE FROM latest_risk_scores l USING risk_scores s
            WHERE s.run_id = $1 AND s.patient_id = ANY($2) AND s.status = 'skipped'
              AND l.patient_id = s.patient_id AND l.model = s.model AND (l.as_of, l.run_id) < (s.as_of, s.run_id)
            """, [runId, patients]));

        // 3. The chunk is done; 4. the run row is locked so that chunks finishing at once close the run exactly once, by
        //    whichever commits last (it sees the others' "done" once it holds the lock). FOR NO KEY UPDATE, not FOR UPDATE:
        //    every chunk's insert into risk_scores already holds a FOR KEY SHARE lock on this row (the foreign key), and
        //    two chunks upgrading those to FOR UPDATE deadlock (found by the two-worker test).
        await ExecuteAsync(connection, transaction, cancellationToken,
            ("""
            UPDATE score_run_chunks SET status = 'done', finished_at = now(), elapsed_ms = $3, last_error = NULL,
                delivery_status = CASE WHEN $4 THEN 'pending' END
            WHERE run_id = $1 AND chunk_no = $2
            """, [runId, chunkNo, elapsedMs, awaitsDelivery]),
            ("SELECT 1 FROM score_runs WHERE run_id = $1 FOR NO KEY UPDATE", [runId]),
            ("""
            UPDATE score_runs r SET status = 'completed', finished_at = now(), scored = agg.scored, skipped = agg.skipped, failed = agg.failed,
                tier_changes = agg.tier_changes, methods = agg.methods, skip_reasons = reasons.skip_reasons
            FROM (SELECT count(*) FILTER (WHERE status = 'scored') AS scored, count(*) FILTER (WHERE status = 'skipped') AS skipped,
                         count(*) FILTER (WHERE status = 'failed') AS failed,
                         count(*) FILTER (WHERE previous_tier IS NOT NULL AND previous_tier <> tier) AS tier_changes,
                         coalesce(array_agg(DISTINCT method) FILTER (WHERE method IS NOT NULL), '{}') AS methods
                  FROM risk_scores WHERE run_id = $1) agg,
                 (SELECT coalesce(jsonb_object_agg(reason, n), '{}') AS skip_reasons
                  FROM (SELECT reason, count(*) AS n FROM risk_scores WHERE run_id = $1 AND status = 'skipped' GROUP BY reason) x) reasons
            WHERE r.run_id = $1 AND r.status <> 'completed'
              AND NOT EXISTS (SELECT 1 FROM score_run_chunks WHERE run_id = $1 AND status <> 'done')
            """, [runId]));

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Runs statements in order in one round trip (each with its own positional parameters), in the transaction.</summary>
    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken, params (string Sql, object[] Parameters)[] statements)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (sql, parameters) in statements)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var value in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddArray(NpgsqlCommand command, IReadOnlyList<ScoreRecord> records, Func<ScoreRecord, string?> value) =>
        command.Parameters.Add(new() { Value = records.Select(value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });

    public async Task RecordChunkErrorAsync(long runId, int chunkNo, string error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE score_run_chunks SET last_error = $3, status = CASE WHEN status = 'done' THEN status ELSE 'pending' END WHERE run_id = $1 AND chunk_no = $2");
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = chunkNo });
        command.Parameters.Add(new() { Value = error });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordDeliveryAsync(long runId, int chunkNo, string? error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE score_run_chunks SET delivery_attempts = delivery_attempts + 1, delivery_error = $3,
                delivery_status = CASE WHEN $3 IS NULL THEN 'delivered' ELSE 'failed' END
            WHERE run_id = $1 AND chunk_no = $2
            """);
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = chunkNo });
        command.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string RunColumns =
        """
        SELECT r.run_id, r.request_key, r.cohort, r.model, r.as_of, r.trigger, r.status, r.patients, r.chunks,
               (SELECT count(*) FROM score_run_chunks c WHERE c.run_id = r.run_id AND c.status = 'done'),
               CASE WHEN r.status = 'completed' THEN r.scored ELSE (SELECT count(*) FROM risk_scores s WHERE s.run_id = r.run_id AND s.status = 'scored') END,
               CASE WHEN r.status = 'completed' THEN r.skipped ELSE (SELECT count(*) FROM risk_scores s WHERE s.run_id = r.run_id AND s.status = 'skipped') END,
               CASE WHEN r.status = 'completed' THEN r.failed ELSE (SELECT count(*) FROM risk_scores s WHERE s.run_id = r.run_id AND s.status = 'failed') END,
               r.tier_changes, r.skip_reasons::text, r.methods, r.created_at, r.finished_at,
               (SELECT count(*) FROM score_run_chunks c WHERE c.run_id = r.run_id AND c.delivery_status = 'pending'),
               (SELECT count(*) FROM score_run_chunks c WHERE c.run_id = r.run_id AND c.delivery_status = 'failed')
        FROM score_runs r
        """;

    public async Task<RunSummary?> GetRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"{RunColumns} WHERE r.run_id = $1");
        command.Parameters.Add(new() { Value = runId });
        return await ReadRunsAsync(command, cancellationToken) is [var run] ? run : null;
    }

    public async Task<IReadOnlyList<RunSummary>> ListRunsAsync(string? requestKey, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"{RunColumns} WHERE $1::text IS NULL OR starts_with(r.request_key, $1) ORDER BY r.run_id DESC LIMIT $2");
        command.Parameters.Add(new() { Value = (object?)requestKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = limit });
        return await ReadRunsAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<RunSummary>> ReadRunsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var runs = new List<RunSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var created = reader.GetFieldValue<DateTimeOffset>(16);
            DateTimeOffset? finished = reader.IsDBNull(17) ? null : reader.GetFieldValue<DateTimeOffset>(17);
            runs.Add(new RunSummary(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetString(5), reader.GetString(6), reader.GetInt32(7), reader.GetInt32(8), (int)reader.GetInt64(9),
                Convert.ToInt32(reader.GetValue(10)), Convert.ToInt32(reader.GetValue(11)), Convert.ToInt32(reader.GetValue(12)),
                reader.GetInt32(13), JsonSerializer.Deserialize<Dictionary<string, int>>(reader.GetString(14))!,
                reader.GetFieldValue<string[]>(15), created, finished, finished is { } f ? (f - created).TotalSeconds : null,
                (int)reader.GetInt64(18), (int)reader.GetInt64(19)));
        }

        return runs;
    }

    private const string ScoresWhere = """
        WHERE s.status = 'scored'
          AND ($1::text IS NULL OR s.patient_id = $1)
          AND ($2::text IS NULL OR s.model = $2)
          AND ($3::bigint IS NULL OR s.run_id = $3)
          AND ($4::int IS NULL OR s.patient_id = ANY(SELECT unnest(patient_ids) FROM score_run_chunks WHERE run_id = $3 AND chunk_no = $4))
        """;

    public async Task<IReadOnlyList<StoredScore>> ScoresAsync(ScoreSelection selection, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT s.run_id, s.patient_id, s.model, s.as_of, s.scored_at, s.encounter_id, s.features_as_of, s.probability, s.tier,
                   s.previous_tier, s.summary, s.top_factors::text, s.published_score, s.method, s.not_recorded
            FROM risk_scores s
            {ScoresWhere}
            ORDER BY s.as_of DESC, s.run_id DESC, s.model, s.patient_id
            LIMIT $5 OFFSET $6
            """);
        AddSelection(command, selection);
        command.Parameters.Add(new() { Value = selection.Limit });
        command.Parameters.Add(new() { Value = selection.Offset });
        var scores = new List<StoredScore>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            scores.Add(new StoredScore(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetDouble(7), reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetString(10), JsonSerializer.Deserialize<string[]>(reader.GetString(11))!, reader.GetString(12), reader.GetString(13))
            {
                NotRecorded = reader.IsDBNull(14) ? null : reader.GetString(14),
            });
        }

        return scores;
    }

    public async Task<long> CountScoresAsync(ScoreSelection selection, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM risk_scores s {ScoresWhere}");
        AddSelection(command, selection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void AddSelection(NpgsqlCommand command, ScoreSelection selection)
    {
        command.Parameters.Add(new() { Value = (object?)selection.PatientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)selection.Model ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)selection.RunId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)selection.ChunkNo ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
    }
}
