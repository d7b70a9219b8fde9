using ClinicalCds.Domain.Features;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Worklist;
using ClinicalCds.Domain.Clinical;
using Npgsql;
using static ClinicalCds.Infrastructure.Persistence.Columns;
using NpgsqlTypes;

namespace ClinicalCds.Infrastructure.Worklist;

/// <summary>
/// The worklist over latest_risk_scores, which carries everything the filters and sorts read (tier, probability,
/// service, discharge): the first page of a model's ranking walks the (model, tier, probability) index, and the count
/// joins the reviews only when a filter reads them.
/// </summary>
public sealed class PostgresWorklistStore(NpgsqlDataSource dataSource) : IWorklistStore
{
    /// <summary>
    /// Labs shown on the patient page: the latest value of each (canonical units, as projected), read from the same codes
    /// the features read (<see cref="Loinc"/>'s groups) — so the sodium shown is the sodium HOSPITAL scored (issue 35 item 3).
    /// </summary>
    private static readonly (IReadOnlyList<string> Codes, string Name)[] KeyLabs =
    [
        (Loinc.Creatinine, "Creatinine"), (Loinc.Hemoglobin, "Hemoglobin"), (Loinc.Sodium, "Sodium"),
        (Loinc.Potassium, "Potassium"), (Loinc.Leukocytes, "White cell count"), (Loinc.Albumin, "Albumin"),
    ];

    public async Task<WorklistPage> QueryAsync(WorklistFilter filter, string userName, CancellationToken cancellationToken)
    {
        var (where, parameters) = Conditions(filter, userName);
        var order = (filter.Sort, filter.Descending) switch
        {
            (WorklistSort.Change, true) => "(l.probability - l.previous_probability) DESC NULLS LAST, l.patient_id",
            (WorklistSort.Change, false) => "(l.probability - l.previous_probability) ASC NULLS LAST, l.patient_id",
            (WorklistSort.Discharge, true) => "l.discharge DESC NULLS LAST, l.patient_id",
            (WorklistSort.Discharge, false) => "l.discharge ASC NULLS LAST, l.patient_id",
            (WorklistSort.Name, true) => "p.name DESC NULLS LAST, l.patient_id",
            (WorklistSort.Name, false) => "p.name ASC NULLS LAST, l.patient_id",
            (_, true) => "l.tier_rank DESC, l.probability DESC, l.patient_id",
            (_, false) => "l.tier_rank ASC, l.probability ASC, l.patient_id",
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        var rows = new NpgsqlBatchCommand(
            $"""
            SELECT page.*,
                   date_part('year', age((page.as_of AT TIME ZONE 'UTC')::date, page.birth_date))::int,
                   e.period_start, e.discharge_disposition, s.top_factors::text,
                   coalesce(pr.content -> 'generalPractitioner' -> 0 ->> 'display', pr.content -> 'generalPractitioner' -> 0 ->> 'reference'),
                   (SELECT min((a.content ->> 'start')::timestamptz) FROM fhir_resources a
                    WHERE a.patient_id = page.patient_id AND a.resource_type = 'Appointment' AND a.is_current
                      AND a.content ->> 'status' IN ('proposed', 'pending', 'booked', 'arrived', 'checked-in')
                      AND a.content ->> 'start' ~ '^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$'
                      AND (a.content ->> 'start')::timestamptz >= coalesce(page.discharge, page.as_of)),
                   s.not_recorded
            FROM (SELECT l.patient_id, p.name, p.mrn, l.model, l.probability, l.tier, l.previous_tier, l.previous_probability, l.tier_changed,
                         l.top_factor, l.service, l.discharge, coalesce(r.reviewed, false), r.assignee, l.as_of, l.summary,
                         l.run_id, l.encounter_id, p.birth_date, l.tier_rank
                  FROM latest_risk_scores l
                  LEFT JOIN patients p ON p.patient_id = l.patient_id
                  LEFT JOIN patient_reviews r ON r.patient_id = l.patient_id AND r.model = l.model
                  WHERE {where}
                  ORDER BY {order}
                  LIMIT {filter.PageSize} OFFSET {(long)(filter.Page - 1) * filter.PageSize}) page
            LEFT JOIN encounters e ON e.encounter_id = page.encounter_id
            LEFT JOIN risk_scores s ON s.run_id = page.run_id AND s.patient_id = page.patient_id AND s.model = page.model
            LEFT JOIN fhir_resources pr ON pr.resource_type = 'Patient' AND pr.id = page.patient_id AND pr.is_current
            ORDER BY {order.Replace("l.", "page.", StringComparison.Ordinal).Replace("p.name", "page.name", StringComparison.Ordinal)}
            """);
        rows.Parameters.AddRange(parameters());
        batch.BatchCommands.Add(rows);

        // The count joins the reviews only when a filter reads them.
        var joins = !filter.UnreviewedOnly && !filter.AssignedToMe ? string.Empty : " LEFT JOIN patient_reviews r ON r.patient_id = l.patient_id AND r.model = l.model";
        var count = new NpgsqlBatchCommand($"SELECT count(*) FROM latest_risk_scores l{joins} WHERE {where}");
        count.Parameters.AddRange(parameters());
        batch.BatchCommands.Add(count);

        var list = new List<WorklistRow>(filter.PageSize);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new WorklistRow(
                reader.GetString(0), Str(reader, 1), Str(reader, 2), reader.GetString(3), Dbl(reader, 4), reader.GetString(5), Str(reader, 6),
                Dbl(reader, 7), reader.GetBoolean(8), Str(reader, 9), Str(reader, 10), Time(reader, 11), reader.GetBoolean(12), Str(reader, 13),
                reader.GetFieldValue<DateTimeOffset>(14), reader.GetString(15))
            {
                AgeYears = reader.IsDBNull(20) ? null : reader.GetInt32(20),
                Admitted = Time(reader, 21),
                Disposition = EncounterKinds.DispositionDisplay(Str(reader, 22)),
                TopFactors = Str(reader, 23) is { } factors ? JsonSerializer.Deserialize<List<string>>(factors) ?? [] : [],
                PrimaryCare = Str(reader, 24),
                FollowUp = Time(reader, 25),
                NotRecorded = Str(reader, 26),
            });
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new WorklistPage(list, reader.GetInt64(0), filter);
    }

    /// <summary>The WHERE clause over aliases l, p, e, r, and a factory of its parameters ($1…; a batch command needs its own).</summary>
    private static (string Where, Func<NpgsqlParameter[]> Parameters) Conditions(WorklistFilter filter, string userName)
    {
        var values = new List<(object? Value, NpgsqlDbType Type)>();
        string Add(object? value, NpgsqlDbType type)
        {
            values.Add((value, type));
            return $"${values.Count}";
        }

        var where = new List<string> { $"l.model = {Add(filter.Model, NpgsqlDbType.Text)}" };
        if (filter.Tiers is { Count: > 0 } tiers)
        {
            where.Add($"l.tier = ANY({Add(tiers.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        }

        if (filter.Service is { } service)
        {
            where.Add($"l.service = {Add(service, NpgsqlDbType.Text)}");
        }

        if (filter.DischargedFrom is { } from)
        {
            where.Add($"l.discharge >= {Add(new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), NpgsqlDbType.TimestampTz)}");
        }

        if (filter.DischargedTo is { } to)
        {
            where.Add($"l.discharge < {Add(new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), NpgsqlDbType.TimestampTz)}");
        }

        if (filter.UnreviewedOnly)
        {
            where.Add("NOT coalesce(r.reviewed, false)");
        }

        if (filter.AssignedToMe)
        {
            where.Add($"r.assignee = {Add(userName, NpgsqlDbType.Text)}");
        }

        if (filter.Search is { } search)
        {
            var pattern = Add("%" + search.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%", NpgsqlDbType.Text);
            var exact = Add(search, NpgsqlDbType.Text);
            where.Add($"(l.patient_id IN (SELECT patient_id FROM patients WHERE name ILIKE {pattern} OR mrn = {exact} OR patient_id = {exact}))");
        }

        return (string.Join(" AND ", where), () => [.. values.Select(v => new NpgsqlParameter { Value = v.Value ?? DBNull.Value, NpgsqlDbType = v.Type })]);
    }

    private readonly Dictionary<string, (DateTime At, IReadOnlyList<string> Services)> _services = [];

    public async Task<IReadOnlyList<string>> ServicesAsync(string model, CancellationToken cancellationToken)
    {
        lock (_services)
        {
            if (_services.TryGetValue(model, out var cached) && DateTime.UtcNow - cached.At < TimeSpan.FromMinutes(5))
            {
                return cached.Services;
            }
        }

        await using var command = dataSource.CreateCommand(
            """
            SELECT DISTINCT service FROM latest_risk_scores WHERE model = $1 AND service IS NOT NULL ORDER BY 1
            """);
        command.Parameters.Add(new() { Value = model });
        var services = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                services.Add(reader.GetString(0));
            }
        }

        lock (_services)
        {
            _services[model] = (DateTime.UtcNow, services);
        }

        return services;
    }

    public async Task<PatientRiskRecord?> PatientAsync(string patientId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var sql in new[]
        {
            "SELECT patient_id, name, mrn, birth_date, sex FROM patients WHERE patient_id = $1",
            """
            SELECT l.model, l.run_id, l.as_of, l.encounter_id, l.features_as_of, l.probability, l.tier, l.previous_tier, l.tier_changed,
                   l.summary, coalesce(s.top_factors::text, '[]'), l.published_score, l.method
            FROM latest_risk_scores l LEFT JOIN risk_scores s ON s.run_id = l.run_id AND s.patient_id = l.patient_id AND s.model = l.model
            WHERE l.patient_id = $1 ORDER BY l.model
            """,
            """
            SELECT model, run_id, as_of, probability, tier FROM (
                SELECT model, run_id, as_of, probability, tier, row_number() OVER (PARTITION BY model ORDER BY as_of DESC, run_id DESC) AS n
                FROM risk_scores WHERE patient_id = $1 AND status = 'scored') h
            WHERE n <= 60 ORDER BY model, as_of, run_id
            """,
            "SELECT model, reviewed, reviewed_at, reviewed_by, assignee FROM patient_reviews WHERE patient_id = $1 ORDER BY model",
            "SELECT model, at, user_name, action, detail FROM patient_review_events WHERE patient_id = $1 ORDER BY at DESC, id DESC LIMIT 100",
            """
            SELECT encounter_id, class_code, type_display, service_type, period_start, period_end, discharge_disposition
            FROM encounters WHERE patient_id = $1 ORDER BY period_start DESC NULLS LAST LIMIT 8
            """,
            """
            SELECT DISTINCT ON (code) code, value, unit, effective FROM observations
            WHERE patient_id = $1 AND code = ANY($2) AND value IS NOT NULL AND status IN ('final', 'amended', 'corrected')
            ORDER BY code, effective DESC NULLS LAST
            """,
        })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new() { Value = patientId });
            if (sql.Contains("$2", StringComparison.Ordinal))
            {
                command.Parameters.Add(new() { Value = KeyLabs.SelectMany(l => l.Codes).ToArray() });
            }

            batch.BatchCommands.Add(command);
        }

        await using var r = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
        {
            return null;
        }

        var (name, mrn, birth, sex) = (Str(r, 1), Str(r, 2), r.IsDBNull(3) ? (DateOnly?)null : r.GetFieldValue<DateOnly>(3), Str(r, 4));
        var latest = new List<LatestScore>();
        await r.NextResultAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            latest.Add(new LatestScore(
                r.GetString(0), r.GetInt64(1), r.GetFieldValue<DateTimeOffset>(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), Dbl(r, 5),
                r.GetString(6), Str(r, 7), r.GetBoolean(8), r.GetString(9), JsonSerializer.Deserialize<string[]>(r.GetString(10))!, r.GetString(11), r.GetString(12)));
        }

        var history = new Dictionary<string, List<ScorePoint>>(StringComparer.Ordinal);
        await r.NextResultAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var model = r.GetString(0);
            if (!history.TryGetValue(model, out var points))
            {
                history[model] = points = [];
            }

            points.Add(new ScorePoint(r.GetInt64(1), r.GetFieldValue<DateTimeOffset>(2), Dbl(r, 3), r.GetString(4)));
        }

        var reviews = new List<ReviewState>();
        await r.NextResultAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            reviews.Add(new ReviewState(r.GetString(0), r.GetBoolean(1), Time(r, 2), Str(r, 3), Str(r, 4)));
        }

        var events = new List<ReviewEvent>();
        await r.NextResultAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            events.Add(new ReviewEvent(r.GetString(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), Str(r, 4)));
        }

        var encounters = new List<EncounterSummary>();
        await r.NextResultAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            encounters.Add(new EncounterSummary(r.GetString(0), Str(r, 1), Str(r, 2), Str(r, 3), Time(r, 4), Time(r, 5), Str(r, 6)));
        }

        var latestByCode = new List<LabValue>();
        await r.NextResultAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var code = r.GetString(0);
            latestByCode.Add(new LabValue(code, KeyLabs.First(l => l.Codes.Contains(code)).Name, Dbl(r, 1), Str(r, 2), Time(r, 3)));
        }

        // One row per lab: the latest result of any of its codes.
        var labs = KeyLabs
            .Select(l => latestByCode.Where(v => l.Codes.Contains(v.Code)).OrderByDescending(v => v.At ?? DateTimeOffset.MinValue).FirstOrDefault())
            .OfType<LabValue>()
            .ToList();

        return new PatientRiskRecord(
            patientId, name, mrn, birth, sex, latest, history.ToDictionary(h => h.Key, h => (IReadOnlyList<ScorePoint>)h.Value, StringComparer.Ordinal),
            reviews, events, encounters, labs);
    }

    public async Task<IReadOnlyList<string>> AssignableUsersAsync(CancellationToken cancellationToken)
    {
        // ASP.NET Core Identity's own tables: accounts holding a worklist role, not locked out.
        await using var command = dataSource.CreateCommand(
            """
            SELECT DISTINCT u.user_name FROM "AspNetUsers" u
            JOIN "AspNetUserRoles" ur ON ur.user_id = u.id
            WHERE u.user_name IS NOT NULL AND (u.lockout_end IS NULL OR u.lockout_end < now())
            ORDER BY u.user_name
            """);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public async Task RecordActionAsync(ReviewAction action, CancellationToken cancellationToken)
    {
        var update = action.Kind switch
        {
            ReviewActionKind.Reviewed => "reviewed = true, reviewed_at = now(), reviewed_by = $3",
            ReviewActionKind.Unreviewed => "reviewed = false, reviewed_at = NULL, reviewed_by = NULL",
            ReviewActionKind.Assigned => "assignee = $4",
            _ => null,
        };
        var kind = action.Kind.ToString().ToLowerInvariant();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (update is not null)
        {
            var upsert = new NpgsqlBatchCommand(
                $"""
                INSERT INTO patient_reviews AS r (patient_id, model, reviewed, reviewed_at, reviewed_by, assignee, updated_at)
                VALUES ($1, $2, false, NULL, NULL, NULL, now())
                ON CONFLICT (patient_id, model) DO NOTHING
                """);
            upsert.Parameters.Add(new() { Value = action.PatientId });
            upsert.Parameters.Add(new() { Value = action.Model });
            batch.BatchCommands.Add(upsert);
            var set = new NpgsqlBatchCommand($"UPDATE patient_reviews SET {update}, updated_at = now() WHERE patient_id = $1 AND model = $2");
            set.Parameters.Add(new() { Value = action.PatientId });
            set.Parameters.Add(new() { Value = action.Model });
            set.Parameters.Add(new() { Value = action.UserName });
            set.Parameters.Add(new() { Value = (object?)action.Detail ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(set);
        }

        var history = new NpgsqlBatchCommand(
            "INSERT INTO patient_review_events (patient_id, model, at, user_name, action, detail) VALUES ($1, $2, now(), $3, $4, $5)");
        history.Parameters.Add(new() { Value = action.PatientId });
        history.Parameters.Add(new() { Value = action.Model });
        history.Parameters.Add(new() { Value = action.UserName });
        history.Parameters.Add(new() { Value = kind });
        history.Parameters.Add(new() { Value = (object?)action.Detail ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        batch.BatchCommands.Add(history);
        batch.BatchCommands.Add(AuditCommand(action.UserName, action.PatientId, kind, action.Model));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task AuditAsync(string userName, string? patientId, string action, string? detail, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(AuditCommand(userName, patientId, action, detail));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand AuditCommand(string userName, string? patientId, string action, string? detail)
    {
        var command = new NpgsqlBatchCommand("INSERT INTO worklist_audit (at, user_name, patient_id, action, detail) VALUES (now(), $1, $2, $3, $4)");
        command.Parameters.Add(new() { Value = userName });
        command.Parameters.Add(new() { Value = (object?)patientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = action });
        command.Parameters.Add(new() { Value = (object?)detail ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return command;
    }
}
