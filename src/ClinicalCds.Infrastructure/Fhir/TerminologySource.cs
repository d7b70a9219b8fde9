using ClinicalCds.Domain.Clinical;
using ClinicalCds.Fhir.Terminologies;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>
/// The terminology in force: the ConceptMaps stored through the FHIR API (current versions, first: a hospital's own
/// corrections win) and those of the configured folders, with the encounter rules. The stored ones are read on first
/// use and looked at again at most every <see cref="RecheckEvery"/> (a cheap count and time of the current ConceptMaps;
/// reloaded in the background when they changed), so a map posted to one replica reaches every process within seconds.
/// </summary>
public sealed class TerminologySource(
    IReadOnlyList<ConceptMapGroup> folderGroups, EncounterRules encounters, HospitalTime time, NpgsqlDataSource dataSource, ILogger<TerminologySource> logger, TimeProvider clock)
{
    public static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Terminology? _current;
    private (long Count, DateTime? Latest) _stamp = (-1, null);
    private long _checkedAt;
    private int _refreshing;

    /// <summary>The terminology now: loaded on first use, refreshed in the background when the stored maps changed.</summary>
    public Terminology Current
    {
        get
        {
            if (_current is null)
            {
                RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            else if (clock.GetTimestamp() - Interlocked.Read(ref _checkedAt) > RecheckEvery.TotalSeconds * clock.TimestampFrequency
                     && Interlocked.Exchange(ref _refreshing, 1) == 0)
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await RefreshAsync(CancellationToken.None);
                    }
                    catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
                    {
                        logger.LogWarning("Stored ConceptMaps could not be read ({Error}); the terminology in force stays.", e.GetType().Name);
                    }
                    finally
                    {
                        Interlocked.Exchange(ref _refreshing, 0);
                    }
                });
            }

            return _current!;
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            (long, DateTime?) stamp;
            await using (var check = new NpgsqlCommand(
                "SELECT count(*), max(last_updated) FROM fhir_resources WHERE resource_type = 'ConceptMap' AND is_current", connection))
            await using (var reader = await check.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                stamp = (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1));
            }

            Interlocked.Exchange(ref _checkedAt, clock.GetTimestamp());
            if (_current is not null && stamp == _stamp)
            {
                return;
            }

            var stored = new List<ConceptMapGroup>();
            await using (var read = new NpgsqlCommand(
                "SELECT id, content::text FROM fhir_resources WHERE resource_type = 'ConceptMap' AND is_current ORDER BY id", connection))
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var groups = ConceptMaps.Read(System.Text.Encoding.UTF8.GetBytes(reader.GetString(1)), out var problems);
                    if (problems.Count > 0)
                    {
                        logger.LogWarning("Stored ConceptMap/{Id} is not used: {Problems}", reader.GetString(0), string.Join(" ", problems));
                        continue;
                    }

                    stored.AddRange(groups);
                }
            }

            _current = new Terminology([.. stored, .. folderGroups], encounters, time);
            _stamp = stamp;
        }
        finally
        {
            _loading.Release();
        }
    }
}
