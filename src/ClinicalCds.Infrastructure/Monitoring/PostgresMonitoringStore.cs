using ClinicalCds.Application.Monitoring.CheckResultFeed;
using ClinicalCds.Application.Monitoring;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;
using Npgsql;
using NpgsqlTypes;

namespace ClinicalCds.Infrastructure.Monitoring;

/// <summary>Served scores from risk_scores (runs) and hook_scores (hooks), candidates' from shadow_scores; monitoring periods in model_monitoring, one row per method and month.</summary>
public sealed class PostgresMonitoringStore(NpgsqlDataSource dataSource) : IMonitoringStore
{
    public async Task<IReadOnlyList<ServedScore>> ServedScoresAsync(string model, DateTimeOffset instantsBefore, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT DISTINCT ON (patient_id, encounter_id, features_as_of, method)
                   patient_id, encounter_id, features_as_of, probability, tier, method, shadow, active_method, active_probability, made_at
            -- made_at: the instant the score was made at in the data's own time — a run's as-of (a run pinned to a past
            -- instant scores as of then), a hook's judged instant — from which the monitoring's lag rule is read.
            FROM (SELECT patient_id, encounter_id, features_as_of, probability, tier, method, false AS shadow,
                         NULL::text AS active_method, NULL::float8 AS active_probability, scored_at, as_of AS made_at
                  FROM risk_scores
                  WHERE model = @model AND status = 'scored' AND probability IS NOT NULL AND encounter_id IS NOT NULL
                    AND method IS NOT NULL AND features_as_of < @before
                  UNION ALL
                  SELECT patient_id, encounter_id, features_as_of, probability, tier, method, false, NULL, NULL, scored_at, features_as_of
                  FROM hook_scores WHERE model = @model AND features_as_of < @before
                  UNION ALL
                  SELECT s.patient_id, s.encounter_id, s.features_as_of, s.probability, s.tier, s.method, true, s.active_method, s.active_probability, s.scored_at,
                         COALESCE(r.as_of, s.features_as_of)
                  FROM shadow_scores s LEFT JOIN score_runs r ON r.run_id = s.run_id
                  WHERE s.model = @model AND s.features_as_of < @before) served
            ORDER BY patient_id, encounter_id, features_as_of, method, scored_at
            """);
        command.Parameters.AddWithValue("model", model);
        command.Parameters.AddWithValue("before", instantsBefore);
        var scores = new List<ServedScore>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            scores.Add(new ServedScore(
                reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetDouble(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5))
            {
                Shadow = reader.GetBoolean(6),
                ActiveMethod = reader.IsDBNull(7) ? null : reader.GetString(7),
                ActiveProbability = reader.IsDBNull(8) ? null : reader.GetDouble(8),
                MadeAt = reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
            });
        }

        return scores;
    }

    public async Task SaveAsync(IReadOnlyList<MonitoringPeriod> periods, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var period in periods)
        {
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO model_monitoring (method, month, model, computed_at, rows, positives, metrics, subgroups, comparisons, shadow, late, median_lag_hours)
                VALUES (@method, @month, @model, @computed, @rows, @positives, @metrics, @subgroups, @comparisons, @shadow, @late, @lag)
                ON CONFLICT (method, month) DO UPDATE SET
                    model = excluded.model, computed_at = excluded.computed_at, rows = excluded.rows, positives = excluded.positives,
                    metrics = excluded.metrics, subgroups = excluded.subgroups, comparisons = excluded.comparisons, shadow = excluded.shadow,
                    late = excluded.late, median_lag_hours = excluded.median_lag_hours
                """, connection, transaction);
            command.Parameters.AddWithValue("method", period.Method);
            command.Parameters.AddWithValue("month", period.Month);
            command.Parameters.AddWithValue("model", period.Model);
            command.Parameters.AddWithValue("computed", period.ComputedAt);
            command.Parameters.AddWithValue("rows", period.Metrics.Rows);
            command.Parameters.AddWithValue("positives", period.Metrics.Positives);
            command.Parameters.AddWithValue("metrics", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(period.Metrics, ModelCard.Json));
            command.Parameters.AddWithValue("subgroups", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(period.Subgroups, ModelCard.Json));
            command.Parameters.AddWithValue("comparisons", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(period.Comparisons, ModelCard.Json));
            command.Parameters.AddWithValue("shadow", period.Shadow);
            command.Parameters.AddWithValue("late", period.Late);
            command.Parameters.Add(new NpgsqlParameter("lag", NpgsqlDbType.Double) { Value = (object?)period.MedianLagHours ?? DBNull.Value });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<MonitoringPeriod>> ListAsync(string? model, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT model, method, month, computed_at, metrics::text, subgroups::text, comparisons::text, shadow, late, median_lag_hours FROM model_monitoring
            WHERE @model::text IS NULL OR model = @model
            ORDER BY model, month DESC, method
            """);
        command.Parameters.Add(new NpgsqlParameter("model", NpgsqlDbType.Text) { Value = (object?)model ?? DBNull.Value });
        var periods = new List<MonitoringPeriod>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            periods.Add(new MonitoringPeriod(
                reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2), reader.GetFieldValue<DateTimeOffset>(3),
                JsonSerializer.Deserialize<CardMetrics>(reader.GetString(4), ModelCard.Json)!,
                JsonSerializer.Deserialize<List<CardSubgroup>>(reader.GetString(5), ModelCard.Json)!)
            {
                Comparisons = JsonSerializer.Deserialize<List<CardBaseline>>(reader.GetString(6), ModelCard.Json)!,
                Shadow = reader.GetBoolean(7),
                Late = reader.GetInt32(8),
                MedianLagHours = reader.IsDBNull(9) ? null : reader.GetDouble(9),
            });
        }

        return periods;
    }

    public async Task<IReadOnlyList<RunInputs>> RunInputsAsync(
        string model, string method, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT features_as_of, run_as_of, inputs::text FROM (
                SELECT DISTINCT ON (patient_id, encounter_id, features_as_of) features_as_of, run_as_of, inputs
                FROM (SELECT s.patient_id, s.encounter_id, s.features_as_of, s.inputs, s.scored_at, r.as_of AS run_as_of
                      FROM risk_scores s JOIN score_runs r ON r.run_id = s.run_id
                      WHERE s.model = @model AND s.method = @method AND s.status = 'scored' AND s.inputs IS NOT NULL
                        AND s.features_as_of >= @from AND s.features_as_of < @until
                      UNION ALL
                      SELECT s.patient_id, s.encounter_id, s.features_as_of, s.inputs, s.scored_at, r.as_of
                      FROM shadow_scores s JOIN score_runs r ON r.run_id = s.run_id
                      WHERE s.model = @model AND s.method = @method AND s.inputs IS NOT NULL
                        AND s.features_as_of >= @from AND s.features_as_of < @until) scored
                ORDER BY patient_id, encounter_id, features_as_of, scored_at) first_scored
            """);
        command.Parameters.AddWithValue("model", model);
        command.Parameters.AddWithValue("method", method);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("until", until);
        var inputs = new List<RunInputs>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inputs.Add(new RunInputs(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1), JsonSerializer.Deserialize<double?[]>(reader.GetString(2))!));
        }

        return inputs;
    }

    public async Task SaveDriftAsync(DriftCheck check, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO model_drift (method, until, model, "from", computed_at, targets, alarms, features)
            VALUES (@method, @until, @model, @from, @computed, @targets, @alarms, @features)
            ON CONFLICT (method, until) DO UPDATE SET
                model = excluded.model, "from" = excluded."from", computed_at = excluded.computed_at, targets = excluded.targets,
                alarms = excluded.alarms, features = excluded.features
            """);
        command.Parameters.AddWithValue("method", check.Method);
        command.Parameters.AddWithValue("until", check.Until);
        command.Parameters.AddWithValue("model", check.Model);
        command.Parameters.AddWithValue("from", check.From);
        command.Parameters.AddWithValue("computed", check.ComputedAt);
        command.Parameters.AddWithValue("targets", check.Targets);
        command.Parameters.AddWithValue("alarms", check.Alarmed.Count);
        command.Parameters.AddWithValue("features", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(check.Features, ModelCard.Json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DriftCheck>> LatestDriftAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT DISTINCT ON (method) model, method, "from", until, computed_at, targets, features::text
            FROM model_drift ORDER BY method, until DESC, computed_at DESC
            """);
        var checks = new List<DriftCheck>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            checks.Add(new DriftCheck(
                reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5),
                JsonSerializer.Deserialize<List<FeatureDrift>>(reader.GetString(6), ModelCard.Json)!));
        }

        return checks;
    }

    public async Task<IReadOnlyList<ResultFeed>> ResultFeedsAsync(
        IReadOnlyCollection<string> codes, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        // A numeric result received (original_value) without a canonical value (value) was not usable: FactMapper keeps
        // what it cannot read as the patient's as received, and nothing reads it.
        await using var command = dataSource.CreateCommand(
            """
            SELECT code, count(*)::int, (count(*) FILTER (WHERE value IS NULL))::int,
                   coalesce(array_agg(DISTINCT coalesce(original_unit, '(none)')) FILTER (WHERE value IS NULL), '{}')
            FROM observations
            WHERE system = 'http://loinc.org' AND code = ANY(@codes) AND original_value IS NOT NULL
              AND effective >= @from AND effective < @until AND status IS DISTINCT FROM 'entered-in-error'
            GROUP BY code ORDER BY code
            """);
        command.Parameters.AddWithValue("codes", codes.ToArray());
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("until", until);
        var feeds = new List<ResultFeed>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            feeds.Add(new ResultFeed(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetFieldValue<string[]>(3)));
        }

        return feeds;
    }

    public async Task SaveFeedAsync(FeedCheck check, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO result_feed_checks (until, "from", computed_at, feeds, alarmed)
            VALUES (@until, @from, @computed, @feeds, @alarmed)
            ON CONFLICT (until) DO UPDATE SET
                "from" = excluded."from", computed_at = excluded.computed_at, feeds = excluded.feeds, alarmed = excluded.alarmed
            """);
        command.Parameters.AddWithValue("until", check.Until);
        command.Parameters.AddWithValue("from", check.From);
        command.Parameters.AddWithValue("computed", check.ComputedAt);
        command.Parameters.AddWithValue("feeds", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(check.Feeds, ModelCard.Json));
        command.Parameters.AddWithValue("alarmed", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(check.Alarmed, ModelCard.Json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<FeedCheck?> LatestFeedAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT "from", until, computed_at, feeds::text, alarmed::text FROM result_feed_checks ORDER BY until DESC, computed_at DESC LIMIT 1
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new FeedCheck(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2),
                JsonSerializer.Deserialize<List<ResultFeed>>(reader.GetString(3), ModelCard.Json)!,
                JsonSerializer.Deserialize<List<string>>(reader.GetString(4), ModelCard.Json)!)
            : null;
    }

    public async Task SavePerformanceAsync(IReadOnlyList<PerformanceCheck> checks, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var check in checks)
        {
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO model_performance (method, model, "from", until, computed_at, metrics, card_auroc, alarms)
                VALUES (@method, @model, @from, @until, @computed, @metrics, @card, @alarms)
                ON CONFLICT (method) DO UPDATE SET
                    model = excluded.model, "from" = excluded."from", until = excluded.until, computed_at = excluded.computed_at,
                    metrics = excluded.metrics, card_auroc = excluded.card_auroc, alarms = excluded.alarms
                """, connection, transaction);
            command.Parameters.AddWithValue("method", check.Method);
            command.Parameters.AddWithValue("model", check.Model);
            command.Parameters.AddWithValue("from", check.From);
            command.Parameters.AddWithValue("until", check.Until);
            command.Parameters.AddWithValue("computed", check.ComputedAt);
            command.Parameters.Add(new NpgsqlParameter("metrics", NpgsqlDbType.Jsonb) { Value = check.Metrics is null ? DBNull.Value : JsonSerializer.Serialize(check.Metrics, ModelCard.Json) });
            command.Parameters.AddWithValue("card", check.CardAuroc);
            command.Parameters.AddWithValue("alarms", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(check.Alarms, ModelCard.Json));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PerformanceCheck>> LatestPerformanceAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """SELECT model, method, "from", until, computed_at, metrics::text, card_auroc, alarms::text FROM model_performance ORDER BY model, method""");
        var checks = new List<PerformanceCheck>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            checks.Add(new PerformanceCheck(
                reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2), reader.GetFieldValue<DateOnly>(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : JsonSerializer.Deserialize<CardMetrics>(reader.GetString(5), ModelCard.Json), reader.GetDouble(6),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(7), ModelCard.Json)!));
        }

        return checks;
    }
}
