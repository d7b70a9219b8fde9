using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Infrastructure.Fhir;
using Npgsql;
using static ClinicalCds.Infrastructure.Persistence.Columns;

namespace ClinicalCds.Infrastructure.Timeline;

/// <summary>
/// Reads timelines from the clinical projections: one round trip of six queries (one per projection table, each on its
/// patient-leading index) per chunk of patients, never one query per patient. The rows become the same fact records
/// the FHIR mapper produces, so a timeline read here equals one built from the patient's FHIR resources.
/// </summary>
public sealed class PostgresTimelineReader(NpgsqlDataSource dataSource) : IPatientTimelineReader
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
                    var timelines = await ReadChunkAsync(connection, chunk, stop.Token);
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

    private const string PatientSql = "SELECT patient_id, birth_date, sex, deceased, deceased_at, name, mrn, race, ethnicity FROM patients WHERE patient_id = ANY(@ids)";

    private const string EncounterSql = """
        SELECT encounter_id, patient_id, status, class_code, type_system, type_code, type_display, period_start, period_end,
               priority_code, admit_source, discharge_disposition, service_type, locations::text
        FROM encounters WHERE patient_id = ANY(@ids)
        """;

    private const string ConditionSql = """
        SELECT condition_id, seq, patient_id, encounter_id, system, code, display, clinical_status, verification_status, category,
               onset, recorded, abatement
        FROM conditions WHERE patient_id = ANY(@ids)
        """;

    private const string ObservationSql = """
        SELECT observation_id, seq, patient_id, encounter_id, system, code, value, unit, original_value, original_unit, value_code,
               status, effective
        FROM observations WHERE patient_id = ANY(@ids)
        """;

    private const string ProcedureSql = """
        SELECT procedure_id, patient_id, encounter_id, system, code, display, status, performed_start, performed_end
        FROM procedures WHERE patient_id = ANY(@ids)
        """;

    private const string MedicationRequestSql = """
        SELECT medication_request_id, patient_id, encounter_id, system, code, display, status, intent, authored_on
        FROM medication_requests WHERE patient_id = ANY(@ids)
        """;

    private static async Task<Dictionary<string, PatientTimeline>> ReadChunkAsync(NpgsqlConnection connection, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var idArray = ids.ToArray();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var sql in new[] { PatientSql, EncounterSql, ConditionSql, ObservationSql, ProcedureSql, MedicationRequestSql })
        {
            var command = new NpgsqlBatchCommand(sql);
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
            while (await r.ReadAsync(ct))
            {
                var p = new PatientFact(r.GetString(0), Date(r, 1), Str(r, 2), r.GetBoolean(3), Time(r, 4), Str(r, 5), Str(r, 6), Str(r, 7), Str(r, 8));
                patients[p.PatientId] = p;
            }

            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct))
            {
                encounters.Add(r.GetString(1), new EncounterFact(
                    r.GetString(0), r.GetString(1), Str(r, 2), Str(r, 3), Str(r, 4), Str(r, 5), Str(r, 6), Time(r, 7), Time(r, 8),
                    Str(r, 9), Str(r, 10), Str(r, 11), Str(r, 12),
                    Locations(r.GetString(13))));
            }

            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct))
            {
                conditions.Add(r.GetString(2), new ConditionFact(
                    r.GetString(0), r.GetInt32(1), r.GetString(2), Str(r, 3), r.GetString(4), r.GetString(5), Str(r, 6), Str(r, 7), Str(r, 8),
                    Str(r, 9), Time(r, 10), Time(r, 11), Time(r, 12)));
            }

            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct))
            {
                observations.Add(r.GetString(2), new ObservationFact(
                    r.GetString(0), r.GetInt32(1), r.GetString(2), Str(r, 3), r.GetString(4), r.GetString(5), Dbl(r, 6), Str(r, 7), Dbl(r, 8),
                    Str(r, 9), Str(r, 10), Str(r, 11), Time(r, 12)));
            }

            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct))
            {
                procedures.Add(r.GetString(1), new ProcedureFact(
                    r.GetString(0), r.GetString(1), Str(r, 2), Str(r, 3), Str(r, 4), Str(r, 5), Str(r, 6), Time(r, 7), Time(r, 8)));
            }

            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct))
            {
                medications.Add(r.GetString(1), new MedicationRequestFact(
                    r.GetString(0), r.GetString(1), Str(r, 2), Str(r, 3), Str(r, 4), Str(r, 5), Str(r, 6), Str(r, 7), Time(r, 8)));
            }
        }

        var timelines = new Dictionary<string, PatientTimeline>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (patients.TryGetValue(id, out var patient) || encounters.Has(id))
            {
                timelines[id] = PatientTimeline.Create(
                    id, patient, encounters[id], conditions[id], observations[id], procedures[id], medications[id]);
            }
        }

        return timelines;
    }

    private static IReadOnlyList<EncounterLocationFact> Locations(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<List<EncounterLocationFact>>(json, ProjectionWriter.LocationJson) ?? [];

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

        public IReadOnlyList<T> this[string patientId] => _byPatient.TryGetValue(patientId, out var list) ? list : [];
    }
}
