using System.Text;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir.Ingest;
using Npgsql;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>
/// The FHIR store on PostgreSQL. Writes go through binary COPY in one transaction per call: the keys and content
/// hashes first (to tell new, changed and unchanged resources apart), then the new versions, then the
/// projections of the changed resources. Writers across processes take one advisory lock, so concurrent imports
/// of the same resource cannot race to the same version number.
/// </summary>
public sealed class PostgresFhirStore(NpgsqlDataSource dataSource, TimeProvider clock) : IFhirStore
{
    private const long IngestLockKey = 0x436c696e43647301; // "ClinCds\x01"

    /// <summary>
    /// The stored JSON as served: resourceType first (jsonb orders keys by length), meta.versionId and
    /// meta.lastUpdated set from the version row.
    /// </summary>
    private const string ServedJson =
        """
        '{"resourceType":' || to_json(r.resource_type)::text || ',' || substr((jsonb_set(r.content - 'resourceType', '{meta}',
          coalesce(r.content->'meta', '{}'::jsonb) || jsonb_build_object('versionId', r.version_id::text,
          'lastUpdated', to_char(r.last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))))::text, 2)
        """;

    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<PreparedResource> resources, CancellationToken cancellationToken)
    {
        if (resources.Count == 0)
        {
            return [];
        }

        var latest = new Dictionary<(string, string), PreparedResource>();
        foreach (var resource in resources)
        {
            latest[(resource.ResourceType, resource.Id)] = resource;
        }

        var unique = latest.Values.ToList();
        var now = Truncate(clock.GetUtcNow());
        var ct = cancellationToken;

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await Execute(connection, $"SELECT pg_advisory_xact_lock({IngestLockKey}); " +
            "CREATE TEMP TABLE ingest_keys (resource_type text NOT NULL, id text NOT NULL, content_hash bytea NOT NULL) ON COMMIT DROP", ct);

        await using (var keys = await connection.BeginBinaryImportAsync("COPY ingest_keys (resource_type, id, content_hash) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var r in unique)
            {
                await keys.StartRowAsync(ct);
                await keys.Text(r.ResourceType, ct);
                await keys.Text(r.Id, ct);
                await keys.Bytes(r.ContentHash, ct);
            }

            await keys.CompleteAsync(ct);
        }

        var current = new Dictionary<(string, string), (int Version, bool Same, DateTimeOffset LastUpdated)>();
        await using (var lookup = new NpgsqlCommand(
            "SELECT k.resource_type, k.id, r.version_id, r.content_hash = k.content_hash, r.last_updated FROM ingest_keys k " +
            "JOIN fhir_resources r ON r.resource_type = k.resource_type AND r.id = k.id AND r.is_current", connection))
        await using (var reader = await lookup.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                current[(reader.GetString(0), reader.GetString(1))] = (reader.GetInt32(2), reader.GetBoolean(3), reader.GetFieldValue<DateTimeOffset>(4));
            }
        }

        var outcomes = new List<WriteOutcome>(unique.Count);
        var toWrite = new List<(PreparedResource Resource, int Version)>();
        var replaced = new List<(string, string)>();
        foreach (var r in unique)
        {
            if (current.TryGetValue((r.ResourceType, r.Id), out var existing))
            {
                if (existing.Same)
                {
                    outcomes.Add(new WriteOutcome(r.ResourceType, r.Id, existing.Version, WriteStatus.Unchanged, existing.LastUpdated));
                    continue;
                }

                replaced.Add((r.ResourceType, r.Id));
                toWrite.Add((r, existing.Version + 1));
                outcomes.Add(new WriteOutcome(r.ResourceType, r.Id, existing.Version + 1, WriteStatus.Updated, now));
            }
            else
            {
                toWrite.Add((r, 1));
                outcomes.Add(new WriteOutcome(r.ResourceType, r.Id, 1, WriteStatus.Created, now));
            }
        }

        if (toWrite.Count > 0)
        {
            if (replaced.Count > 0)
            {
                await Execute(connection,
                    "UPDATE fhir_resources r SET is_current = false FROM ingest_keys k " +
                    "WHERE r.resource_type = k.resource_type AND r.id = k.id AND r.is_current AND r.content_hash <> k.content_hash", ct);
                await ProjectionWriter.DeleteAsync(connection, replaced, ct);
            }

            await using (var rows = await connection.BeginBinaryImportAsync(
                "COPY fhir_resources (resource_type, id, version_id, is_current, patient_id, last_updated, content_hash, content) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var (r, version) in toWrite)
                {
                    await rows.StartRowAsync(ct);
                    await rows.Text(r.ResourceType, ct);
                    await rows.Text(r.Id, ct);
                    await rows.Integer(version, ct);
                    await rows.Boolean(true, ct);
                    await rows.Text(r.PatientId, ct);
                    await rows.Instant(now, ct);
                    await rows.Bytes(r.ContentHash, ct);
                    await rows.Jsonb(Encoding.UTF8.GetString(r.Json), ct);
                }

                await rows.CompleteAsync(ct);
            }

            await ProjectionWriter.WriteAsync(connection, toWrite.Select(w => w.Resource.Facts).ToList(), ct);
        }

        await transaction.CommitAsync(ct);
        return outcomes;
    }

    public async Task<StoredResource?> ReadAsync(string resourceType, string id, int? versionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT r.resource_type, r.id, r.version_id, r.last_updated, {ServedJson} FROM fhir_resources r " +
            "WHERE r.resource_type = @type AND r.id = @id AND " + (versionId is null ? "r.is_current" : "r.version_id = @version"));
        command.Parameters.AddWithValue("type", resourceType);
        command.Parameters.AddWithValue("id", id);
        if (versionId is { } v)
        {
            command.Parameters.AddWithValue("version", v);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadStored(reader) : null;
    }

    public async Task<SearchPage> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken)
    {
        var (where, parameters) = SearchSql.Where(criteria);
        long total;
        await using (var count = dataSource.CreateCommand($"SELECT count(*) FROM fhir_resources r WHERE {where}"))
        {
            count.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        var resources = new List<StoredResource>();
        if (criteria.Count > 0 && criteria.Offset < total)
        {
            await using var page = dataSource.CreateCommand(
                $"SELECT r.resource_type, r.id, r.version_id, r.last_updated, {ServedJson} FROM fhir_resources r WHERE {where} " +
                $"ORDER BY r.id LIMIT {criteria.Count} OFFSET {criteria.Offset}");
            page.Parameters.AddRange(parameters.ToArray());
            await using var reader = await page.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                resources.Add(ReadStored(reader));
            }
        }

        return new SearchPage(resources, total);
    }

    public async Task<IReadOnlyDictionary<string, long>> CountCurrentByTypeAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT resource_type, count(*) FROM fhir_resources WHERE is_current GROUP BY resource_type");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    private static StoredResource ReadStored(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4));

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>PostgreSQL keeps microseconds; truncating first makes the value we report equal the one stored.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);
}
