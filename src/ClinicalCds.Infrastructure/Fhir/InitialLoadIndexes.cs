using ClinicalCds.Fhir.Ingest;
using Npgsql;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>
/// The indexes of the store's tables (fhir_resources and the projections), set aside for an initial load: the
/// statements that make each one again (its own <c>pg_get_indexdef</c>; a primary key is re-added on its rebuilt
/// index) are recorded in <c>fhir_initial_load</c> and the indexes dropped, in one transaction. Autovacuum is kept off
/// the tables meanwhile (it would scan them again and again as they grow); the record gives it back its setting, and
/// ends with an ANALYZE of each table. Each recorded statement is cleared in the transaction that runs it, so the
/// record always says what is still to do — and it outlives a process that dies mid-load, so whoever writes next
/// does it.
/// </summary>
internal static class InitialLoadIndexes
{
    /// <summary>The tables, biggest first: their indexes are recorded, and so built, in this order.</summary>
    private static string[] Tables => ["fhir_resources", "observations", .. ProjectionWriter.TableNames.Where(t => t != "observations")];

    /// <summary>
    /// Each index: the statement that makes it again, and the one that drops it (primary keys are constraints); each
    /// table: the statement giving autovacuum back its setting, and the one turning it off; last, each table's ANALYZE.
    /// </summary>
    private const string Definitions =
        """
        SELECT array_position(@tables, c.conrelid::regclass::text) AS ord,
               -- The index first and then the constraint on it: builds of a table's indexes can then run side by side.
               pg_get_indexdef(c.conindid) || '; ' || format('ALTER TABLE %s ADD CONSTRAINT %I %s USING INDEX %I', c.conrelid::regclass, c.conname,
                   CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, c.conname),
               format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname)
        FROM pg_constraint c
        WHERE c.contype IN ('p', 'u') AND c.conrelid = ANY(@tables::regclass[])
        UNION ALL
        SELECT array_position(@tables, i.indrelid::regclass::text), pg_get_indexdef(i.indexrelid), format('DROP INDEX %s', i.indexrelid::regclass)
        FROM pg_index i
        WHERE i.indrelid = ANY(@tables::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
        UNION ALL
        SELECT 1000, format('ALTER TABLE %s SET (autovacuum_enabled = %s)', t.oid::regclass,
                      coalesce((SELECT split_part(o, '=', 2) FROM unnest(t.reloptions) AS o WHERE o LIKE 'autovacuum_enabled=%'), 'true')),
               format('ALTER TABLE %s SET (autovacuum_enabled = false)', t.oid::regclass)
        FROM pg_class t
        WHERE t.oid = ANY(@tables::regclass[])
        UNION ALL
        -- Then fresh statistics, so the first queries of the loaded store are planned on its real sizes.
        SELECT 2000, format('ANALYZE %s', t.oid::regclass), NULL
        FROM pg_class t
        WHERE t.oid = ANY(@tables::regclass[])
        ORDER BY 1, 2
        """;

    /// <summary>Records and drops the indexes, turns autovacuum off. In the caller's transaction.</summary>
    public static async Task SetAsideAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var statements = new List<(string Restore, string? Drop)>();
        await using (var read = new NpgsqlCommand(Definitions, connection))
        {
            read.Parameters.AddWithValue("tables", Tables);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                statements.Add((reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        await using (var record = new NpgsqlCommand("INSERT INTO fhir_initial_load (ordinal, statement) SELECT * FROM unnest(@ordinals, @statements)", connection))
        {
            record.Parameters.AddWithValue("ordinals", Enumerable.Range(1, statements.Count).ToArray());
            record.Parameters.AddWithValue("statements", statements.Select(s => s.Restore).ToArray());
            await record.ExecuteNonQueryAsync(ct);
        }

        foreach (var drop in statements.Select(s => s.Drop).OfType<string>())
        {
            await using var command = new NpgsqlCommand(drop, connection);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Builds indexes set aside by an initial load whose process died, unless a load (or a write, which would build
    /// them itself) is running. Run after migrating (`clinicalcds db migrate`).
    /// </summary>
    public static async Task RestoreIfAbandonedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var locks = new NpgsqlCommand(
            $"SELECT bool_and(pg_try_advisory_xact_lock({PostgresFhirStore.IngestLockClass}, p)) FROM generate_series(0, {WritePartitions.Count - 1}) AS p", connection))
        {
            if (!(bool)(await locks.ExecuteScalarAsync(ct))!)
            {
                return;
            }
        }

        await RestoreIfSetAsideAsync(connection, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Builds the indexes set aside, if any, gives autovacuum back, and clears the record. In the caller's transaction.</summary>
    public static async Task RestoreIfSetAsideAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using (var any = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM fhir_initial_load)", connection))
        {
            if (!(bool)(await any.ExecuteScalarAsync(ct))!)
            {
                return;
            }
        }

        // Two writers finding the record at once: the second waits here, then finds it cleared.
        await using (var exclusive = new NpgsqlCommand("LOCK TABLE fhir_initial_load IN EXCLUSIVE MODE", connection))
        {
            await exclusive.ExecuteNonQueryAsync(ct);
        }

        while (await BuildNextAsync(connection, ct))
        {
        }
    }

    /// <summary>
    /// Builds the indexes set aside on <paramref name="workers"/> connections side by side, each index in a transaction
    /// of its own that also clears its record, the biggest tables first. For a running initial load, which holds
    /// every write partition, so no writer restores them meanwhile.
    /// </summary>
    public static async Task RestoreAsync(NpgsqlDataSource dataSource, int workers, CancellationToken ct)
    {
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            while (true)
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                if (!await BuildNextAsync(connection, ct))
                {
                    break;
                }

                await transaction.CommitAsync(ct);
            }
        }));
    }

    /// <summary>Takes the first recorded statement no one else is running, runs it and clears it; false when none is left.</summary>
    private static async Task<bool> BuildNextAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        string statement;
        await using (var next = new NpgsqlCommand(
            "DELETE FROM fhir_initial_load WHERE ordinal = (SELECT ordinal FROM fhir_initial_load ORDER BY ordinal LIMIT 1 FOR UPDATE SKIP LOCKED) " +
            "RETURNING statement", connection))
        {
            if (await next.ExecuteScalarAsync(ct) is not string taken)
            {
                return false;
            }

            statement = taken;
        }

        // A bigger sort memory for this transaction's build only; a build takes as long as the table is big.
        await using var build = new NpgsqlCommand($"SET LOCAL maintenance_work_mem = '256MB'; {statement}", connection) { CommandTimeout = 0 };
        await build.ExecuteNonQueryAsync(ct);
        return true;
    }
}
