using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Fhir.Mapping;
using ClinicalCds.Infrastructure.Persistence;
using Npgsql;

namespace ClinicalCds.Infrastructure.Timeline;

/// <summary>
/// Reads timelines from the clinical projections (<see cref="Projections"/>): one round trip of six queries (one per
/// projection table, each on its patient-leading index) per chunk of patients, never one query per patient. The rows become the same fact records
/// the FHIR mapper produces, so a timeline read here equals one built from the patient's FHIR resources.
/// </summary>
public sealed class PostgresTimelineReader(NpgsqlDataSource dataSource, HospitalTime time) : IPatientTimelineReader
{
    /// <summary>
    /// Patients per round trip. Small chunks keep a chunk's facts short-lived (a bulk read is mostly allocation, and
    /// garbage that dies young is cheap); six queries per 100 patients still amortise the round trip.
    /// </summary>
    public const int ChunkSize = 100;

    public IAsyncEnumerable<PatientTimeline> ReadAsync(IReadOnlyList<string> patientIds, CancellationToken cancellationToken)
    {
        var chunks = patientIds.Distinct(StringComparer.Ordinal).Chunk(ChunkSize).ToList();
        return Pipelined((_, _) => chunks.ToAsyncEnumerable(), cancellationToken);
    }

    public IAsyncEnumerable<PatientTimeline> ReadAllAsync(CancellationToken cancellationToken) => Pipelined(PagesOfPatientIds, cancellationToken);

    /// <summary>Every patient id in id order, a chunk at a time (keyset paging, so the store may grow meanwhile).</summary>
    private static async IAsyncEnumerable<IReadOnlyList<string>> PagesOfPatientIds(NpgsqlConnection connection, [EnumeratorCancellation] CancellationToken ct)
    {
        var after = string.Empty;
        while (true)
        {
            var ids = new List<string>(ChunkSize);
            await using (var page = new NpgsqlCommand(
                "SELECT patient_id FROM patients WHERE patient_id > @after ORDER BY patient_id LIMIT @limit", connection))
            {
                page.Parameters.AddWithValue("after", after);
                page.Parameters.AddWithValue("limit", ChunkSize);
                await using var reader = await page.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    ids.Add(reader.GetString(0));
                }
            }

            if (ids.Count == 0)
            {
                yield break;
            }

            yield return ids;
            after = ids[^1];
        }
    }

    /// <summary>
    /// Reads the next chunk while the caller works on the current one (a bounded channel of two chunks), so database
    /// time and feature building overlap. Stopping the enumeration early stops the reading.
    /// </summary>
    private async IAsyncEnumerable<PatientTimeline> Pipelined(
        Func<NpgsqlConnection, CancellationToken, IAsyncEnumerable<IReadOnlyList<string>>> chunks,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<List<PatientTimeline>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stop.Token);
                await foreach (var chunk in chunks(connection, stop.Token))
                {
                    var timelines = await ReadChunkAsync(connection, chunk, time, stop.Token);
                    await channel.Writer.WriteAsync(chunk.Where(timelines.ContainsKey).Select(id => timelines[id]).ToList(), stop.Token);
                }

                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var timelines in channel.Reader.ReadAllAsync(cancellationToken))
            {
                foreach (var timeline in timelines)
                {
                    yield return timeline;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
    }

    private static async Task<Dictionary<string, PatientTimeline>> ReadChunkAsync(NpgsqlConnection connection, IReadOnlyCollection<string> ids, HospitalTime time, CancellationToken ct)
    {
        var idArray = ids.ToArray();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var projection in Projections.All)
        {
            var command = new NpgsqlBatchCommand(projection.SelectByPatientsSql);
            command.Parameters.AddWithValue("ids", idArray);
            batch.BatchCommands.Add(command);
        }

        var patients = new Dictionary<string, PatientFact>(StringComparer.Ordinal);
        var encounters = new Grouped<EncounterFact>();
        var conditions = new Grouped<ConditionFact>();
        var observations = new Grouped<ObservationFact>();
        var procedures = new Grouped<ProcedureFact>();
        var medications = new Grouped<MedicationRequestFact>();

        await using (var r = await batch.ExecuteReaderAsync(ct))
        {
            var row = new RowCursor(r);
            while (await r.ReadAsync(ct))
            {
                var p = Projections.Patients.Read(row);
                patients[p.PatientId] = p;
            }

            await r.NextResultAsync(ct);
            await encounters.ReadAsync(r, row, Projections.Encounters, ct);
            await r.NextResultAsync(ct);
            await conditions.ReadAsync(r, row, Projections.Conditions, ct);
            await r.NextResultAsync(ct);
            await observations.ReadAsync(r, row, Projections.Observations, ct);
            await r.NextResultAsync(ct);
            await procedures.ReadAsync(r, row, Projections.Procedures, ct);
            await r.NextResultAsync(ct);
            await medications.ReadAsync(r, row, Projections.MedicationRequests, ct);
        }

        var locations = await ReferencedLocationsAsync(connection, idArray.SelectMany(id => encounters[id]), ct);
        var timelines = new Dictionary<string, PatientTimeline>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (patients.TryGetValue(id, out var patient) || encounters.Has(id))
            {
                timelines[id] = PatientTimeline.Create(
                    id, patient, encounters[id], conditions[id], observations[id], procedures[id], medications[id], locations, time);
            }
        }

        return timelines;
    }

    /// <summary>
    /// The stored Location resources that encounters name only by reference (no display to read an ICU from), mapped by
    /// the one <see cref="FactMapper"/>; one query per chunk, none when every location came with its name.
    /// </summary>
    private static async Task<List<LocationFact>> ReferencedLocationsAsync(NpgsqlConnection connection, IEnumerable<EncounterFact> encounters, CancellationToken ct)
    {
        var referenced = encounters.SelectMany(e => e.Locations)
            .Where(l => !l.IsIntensiveCare && l.Display is null && l.LocationId is not null)
            .Select(l => l.LocationId!)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var locations = new List<LocationFact>();
        if (referenced.Length == 0)
        {
            return locations;
        }

        await using var command = new NpgsqlCommand(
            "SELECT content::text FROM fhir_resources WHERE resource_type = 'Location' AND id = ANY(@ids) AND is_current", connection);
        command.Parameters.AddWithValue("ids", referenced);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            using var json = System.Text.Json.JsonDocument.Parse(reader.GetString(0));
            if (FactMapper.Map(json.RootElement).Location is { } location)
            {
                locations.Add(location);
            }
        }

        return locations;
    }

    private sealed class Grouped<T>
    {
        private readonly Dictionary<string, List<T>> _byPatient = new(StringComparer.Ordinal);

        public void Add(string patientId, T fact)
        {
            if (!_byPatient.TryGetValue(patientId, out var list))
            {
                _byPatient[patientId] = list = [];
            }

            list.Add(fact);
        }

        public bool Has(string patientId) => _byPatient.ContainsKey(patientId);

        /// <summary>Every row of the reader's current result, read as <paramref name="projection"/>'s facts.</summary>
        public async Task ReadAsync(NpgsqlDataReader reader, RowCursor row, Projection<T> projection, CancellationToken ct)
        {
            while (await reader.ReadAsync(ct))
            {
                var fact = projection.Read(row);
                Add(projection.PatientOf(fact), fact);
            }
        }

        public IReadOnlyList<T> this[string patientId] => _byPatient.TryGetValue(patientId, out var list) ? list : [];
    }
}
