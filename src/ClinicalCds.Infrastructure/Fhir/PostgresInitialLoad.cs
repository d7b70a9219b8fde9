using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir.Ingest;
using Npgsql;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>
/// An initial load of the PostgreSQL store ("Populating a Database" in the PostgreSQL manual: load into tables without
/// indexes, build them after). One connection holds every write partition's advisory lock for the whole load, so
/// writers of the store wait for it; with the store empty under those locks, the indexes are
/// <see cref="InitialLoadIndexes">set aside</see>. Writes then are binary COPY of version 1 with the projections, in
/// parallel transactions and without existence lookups (the caller never sends a resource twice). Completing builds
/// the indexes, analyzes the tables and lets the waiting writers in.
/// </summary>
internal sealed class PostgresInitialLoad : IInitialLoad
{
    /// <summary>Index builds side by side: each is part parallel (PostgreSQL's own workers), part serial.</summary>
    private static readonly int BuildWorkers = Math.Clamp(Environment.ProcessorCount, 2, 4);

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly NpgsqlConnection _holder;
    private bool _completed;

    private PostgresInitialLoad(NpgsqlDataSource dataSource, TimeProvider clock, NpgsqlConnection holder)
    {
        _dataSource = dataSource;
        _clock = clock;
        _holder = holder;
    }

    public static async Task<PostgresInitialLoad?> TryBeginAsync(NpgsqlDataSource dataSource, TimeProvider clock, CancellationToken ct)
    {
        var holder = await dataSource.OpenConnectionAsync(ct);
        try
        {
            // Ascending, as every writer takes them: waits for the writes in progress, then keeps the others out.
            await Execute(holder, $"SELECT count(pg_advisory_lock({PostgresFhirStore.IngestLockClass}, p)) FROM generate_series(0, {WritePartitions.Count - 1}) AS p", ct);
            await using (var transaction = await holder.BeginTransactionAsync(ct))
            {
                await InitialLoadIndexes.RestoreIfSetAsideAsync(holder, ct);
                await using var any = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM fhir_resources)", holder);
                if ((bool)(await any.ExecuteScalarAsync(ct))!)
                {
                    await transaction.CommitAsync(ct);
                    await ReleaseAsync(holder);
                    return null;
                }

                await InitialLoadIndexes.SetAsideAsync(holder, ct);
                await transaction.CommitAsync(ct);
            }

            return new PostgresInitialLoad(dataSource, clock, holder);
        }
        catch
        {
            await ReleaseAsync(holder);
            throw;
        }
    }

    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<PreparedResource> resources, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var created = PostgresFhirStore.LastOfEach(resources);
        var now = PostgresFhirStore.Truncate(_clock.GetUtcNow());
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresFhirStore.CreateAsync(connection, created, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var outcomes = created.Select(r => new WriteOutcome(r.ResourceType, r.Id, 1, WriteStatus.Created, now)).ToList();
        PostgresFhirStore.Counted(outcomes);
        return outcomes;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        try
        {
            await InitialLoadIndexes.RestoreAsync(_dataSource, BuildWorkers, cancellationToken);
        }
        finally
        {
            await ReleaseAsync(_holder);
        }
    }

    /// <summary>Completes the load if that has not been done (the indexes are built even when the import failed).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            try
            {
                await CompleteAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone: the record of the indexes set aside stays, and the next writer builds them.
            }
        }
    }

    private static async Task ReleaseAsync(NpgsqlConnection holder)
    {
        try
        {
            if (holder.State == System.Data.ConnectionState.Open)
            {
                await Execute(holder, "SELECT pg_advisory_unlock_all()", CancellationToken.None);
            }
        }
        catch (NpgsqlException)
        {
            // A broken connection holds no locks any more.
        }
        finally
        {
            await holder.DisposeAsync();
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }
}
