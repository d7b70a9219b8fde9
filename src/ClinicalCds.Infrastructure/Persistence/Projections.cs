using System.Text.Json;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Infrastructure.Fhir;
using Npgsql;

namespace ClinicalCds.Infrastructure.Persistence;

/// <summary>
/// The six clinical projection tables, each described once: its columns in order, how a fact becomes a row (binary
/// COPY at ingest) and how a row becomes the fact again (the timeline reader). EF's model of the same tables (the
/// schema, ADR 0006) is checked against these by <c>ProjectionSchemaTests</c>.
/// </summary>
public static class Projections
{
    internal static readonly JsonSerializerOptions LocationJson = new(JsonSerializerDefaults.Web);

    internal static readonly Projection<PatientFact> Patients = Projection.Define<PatientFact>(
        "Patient", "patients", p => p.PatientId,
        c =>
        [
            c.Text("patient_id", p => p.PatientId), c.Date("birth_date", p => p.BirthDate), c.Text("sex", p => p.Sex),
            c.Boolean("deceased", p => p.Deceased), c.Instant("deceased_at", p => p.DeceasedAt), c.Text("name", p => p.Name),
            c.Text("mrn", p => p.Mrn), c.Text("race", p => p.Race), c.Text("ethnicity", p => p.Ethnicity),
        ],
        r => new PatientFact(r.Text(), r.Date(), r.OptionalText(), r.Boolean(), r.Instant(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText()));

    internal static readonly Projection<EncounterFact> Encounters = Projection.Define<EncounterFact>(
        "Encounter", "encounters", e => e.PatientId,
        c =>
        [
            c.Text("encounter_id", e => e.EncounterId), c.Text("patient_id", e => e.PatientId), c.Text("status", e => e.Status),
            c.Text("class_code", e => e.ClassCode), c.Text("type_system", e => e.TypeSystem), c.Text("type_code", e => e.TypeCode),
            c.Text("type_display", e => e.TypeDisplay), c.Instant("period_start", e => e.Start), c.Instant("period_end", e => e.End),
            c.Text("priority_code", e => e.PriorityCode), c.Text("admit_source", e => e.AdmitSource),
            c.Text("discharge_disposition", e => e.DischargeDisposition), c.Text("service_type", e => e.ServiceType),
            // Derived from the locations, kept as a column for queries (cohorts); the fact derives it again.
            c.WriteOnly(c.Boolean("had_intensive_care", e => e.HadIntensiveCare)),
            c.Jsonb("locations", e => JsonSerializer.Serialize(e.Locations, LocationJson)),
            // The kind by the encounter rules in force when it was read (cohorts select admissions by it).
            c.Text("kind", e => e.Kind is { } kind ? EncounterKindCodes.Of(kind) : null), c.Text("part_of", e => e.PartOf),
        ],
        r => new EncounterFact(
            r.Text(), r.Text(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.Instant(), r.Instant(),
            r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText(), Locations(r.Text()))
        {
            Kind = EncounterKindCodes.Parse(r.OptionalText()),
            PartOf = r.OptionalText(),
        });

    internal static readonly Projection<ConditionFact> Conditions = Projection.Define<ConditionFact>(
        "Condition", "conditions", c => c.PatientId,
        c =>
        [
            c.Text("condition_id", x => x.ConditionId), c.Integer("seq", x => x.Seq), c.Text("patient_id", x => x.PatientId),
            c.Text("encounter_id", x => x.EncounterId), c.Text("system", x => x.System), c.Text("code", x => x.Code),
            c.Text("display", x => x.Display), c.Text("clinical_status", x => x.ClinicalStatus),
            c.Text("verification_status", x => x.VerificationStatus), c.Text("category", x => x.Category),
            c.Instant("onset", x => x.Onset), c.Instant("recorded", x => x.Recorded), c.Instant("abatement", x => x.Abatement),
        ],
        r => new ConditionFact(
            r.Text(), r.Integer(), r.Text(), r.OptionalText(), r.Text(), r.Text(), r.OptionalText(), r.OptionalText(), r.OptionalText(),
            r.OptionalText(), r.Instant(), r.Instant(), r.Instant()));

    internal static readonly Projection<ObservationFact> Observations = Projection.Define<ObservationFact>(
        "Observation", "observations", o => o.PatientId,
        c =>
        [
            c.Text("observation_id", o => o.ObservationId), c.Integer("seq", o => o.Seq), c.Text("patient_id", o => o.PatientId),
            c.Text("encounter_id", o => o.EncounterId), c.Text("system", o => o.System), c.Text("code", o => o.Code),
            c.Number("value", o => o.Value), c.Text("unit", o => o.Unit), c.Number("original_value", o => o.OriginalValue),
            c.Text("original_unit", o => o.OriginalUnit), c.Text("value_code", o => o.ValueCode), c.Text("status", o => o.Status),
            c.Instant("effective", o => o.Effective),
        ],
        r => new ObservationFact(
            r.Text(), r.Integer(), r.Text(), r.OptionalText(), r.Text(), r.Text(), r.Number(), r.OptionalText(), r.Number(),
            r.OptionalText(), r.OptionalText(), r.OptionalText(), r.Instant()));

    internal static readonly Projection<ProcedureFact> Procedures = Projection.Define<ProcedureFact>(
        "Procedure", "procedures", p => p.PatientId,
        c =>
        [
            c.Text("procedure_id", p => p.ProcedureId), c.Text("patient_id", p => p.PatientId), c.Text("encounter_id", p => p.EncounterId),
            c.Text("system", p => p.System), c.Text("code", p => p.Code), c.Text("display", p => p.Display), c.Text("status", p => p.Status),
            c.Instant("performed_start", p => p.PerformedStart), c.Instant("performed_end", p => p.PerformedEnd),
        ],
        r => new ProcedureFact(r.Text(), r.Text(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.Instant(), r.Instant()));

    internal static readonly Projection<MedicationRequestFact> MedicationRequests = Projection.Define<MedicationRequestFact>(
        "MedicationRequest", "medication_requests", m => m.PatientId,
        c =>
        [
            c.Text("medication_request_id", m => m.MedicationRequestId), c.Text("patient_id", m => m.PatientId),
            c.Text("encounter_id", m => m.EncounterId), c.Text("system", m => m.System), c.Text("code", m => m.Code),
            c.Text("display", m => m.Display), c.Text("status", m => m.Status), c.Text("intent", m => m.Intent),
            c.Instant("authored_on", m => m.AuthoredOn),
        ],
        r => new MedicationRequestFact(r.Text(), r.Text(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.OptionalText(), r.Instant()));

    /// <summary>Every projection table, in the order the timeline reader queries them.</summary>
    public static readonly IReadOnlyList<IProjection> All = [Patients, Encounters, Conditions, Observations, Procedures, MedicationRequests];

    private static IReadOnlyList<EncounterLocationFact> Locations(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize<List<EncounterLocationFact>>(json, LocationJson) ?? [];
}

/// <summary>An encounter's kind as the encounters table spells it ("inpatient", "intensive-care", ...).</summary>
public static class EncounterKindCodes
{
    public static string Of(EncounterKind kind) => kind switch
    {
        EncounterKind.Inpatient => "inpatient",
        EncounterKind.Emergency => "emergency",
        EncounterKind.Observation => "observation",
        EncounterKind.IntensiveCare => "intensive-care",
        _ => "other",
    };

    public static EncounterKind? Parse(string? code) => code switch
    {
        null => null,
        "inpatient" => EncounterKind.Inpatient,
        "emergency" => EncounterKind.Emergency,
        "observation" => EncounterKind.Observation,
        "intensive-care" => EncounterKind.IntensiveCare,
        _ => EncounterKind.Other,
    };
}

/// <summary>What every projection table tells about itself.</summary>
public interface IProjection
{
    string ResourceType { get; }

    string Table { get; }

    /// <summary>The column holding the id of the FHIR resource a row comes from (the first column).</summary>
    string KeyColumn { get; }

    IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The rows of a set of patients, the columns in order (write-only ones left out).</summary>
    string SelectByPatientsSql { get; }
}

/// <summary>A column: its name, how a fact's value is written by binary COPY, and whether the reader reads it back.</summary>
internal sealed record ProjectionColumn<TFact>(string Name, Func<NpgsqlBinaryImporter, TFact, CancellationToken, Task> Write, string? ReadAs);

/// <summary>One projection table: its columns, its COPY writer and its positional reader, from one description.</summary>
internal sealed class Projection<TFact>(
    string resourceType, string table, Func<TFact, string> patientOf, IReadOnlyList<ProjectionColumn<TFact>> columns, Func<RowCursor, TFact> read) : IProjection
{
    private readonly string _copy = $"COPY {table} ({string.Join(", ", columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)";

    public string ResourceType => resourceType;

    public string Table => table;

    public string KeyColumn => columns[0].Name;

    public IReadOnlyList<string> ColumnNames { get; } = [.. columns.Select(c => c.Name)];

    public string SelectByPatientsSql { get; } =
        $"SELECT {string.Join(", ", columns.Where(c => c.ReadAs is not null).Select(c => c.ReadAs))} FROM {table} WHERE patient_id = ANY(@ids)";

    public string PatientOf(TFact fact) => patientOf(fact);

    public TFact Read(RowCursor row) => read(row.Start());

    /// <summary>Writes <paramref name="facts"/> with one binary COPY (nothing when there are none).</summary>
    public async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<TFact> facts, CancellationToken ct)
    {
        if (facts.Count == 0)
        {
            return;
        }

        await using var writer = await connection.BeginBinaryImportAsync(_copy, ct);
        foreach (var fact in facts)
        {
            await writer.StartRowAsync(ct);
            foreach (var column in columns)
            {
                await column.Write(writer, fact, ct);
            }
        }

        await writer.CompleteAsync(ct);
    }
}

internal static class Projection
{
    public static Projection<TFact> Define<TFact>(
        string resourceType, string table, Func<TFact, string> patientOf,
        Func<ColumnFactory<TFact>, ProjectionColumn<TFact>[]> columns, Func<RowCursor, TFact> read) =>
        new(resourceType, table, patientOf, columns(new ColumnFactory<TFact>()), read);
}

/// <summary>Columns of one fact type, typed as PostgreSQL stores them.</summary>
internal sealed class ColumnFactory<TFact>
{
    public ProjectionColumn<TFact> Text(string name, Func<TFact, string?> value) => new(name, (w, f, ct) => w.Text(value(f), ct), name);

    public ProjectionColumn<TFact> Jsonb(string name, Func<TFact, string> value) => new(name, (w, f, ct) => w.Jsonb(value(f), ct), $"{name}::text");

    public ProjectionColumn<TFact> Date(string name, Func<TFact, DateOnly?> value) => new(name, (w, f, ct) => w.Date(value(f), ct), name);

    public ProjectionColumn<TFact> Instant(string name, Func<TFact, DateTimeOffset?> value) => new(name, (w, f, ct) => w.Instant(value(f), ct), name);

    public ProjectionColumn<TFact> Number(string name, Func<TFact, double?> value) => new(name, (w, f, ct) => w.Number(value(f), ct), name);

    public ProjectionColumn<TFact> Integer(string name, Func<TFact, int> value) => new(name, (w, f, ct) => w.Integer(value(f), ct), name);

    public ProjectionColumn<TFact> Boolean(string name, Func<TFact, bool> value) => new(name, (w, f, ct) => w.Boolean(value(f), ct), name);

    /// <summary>A column written for queries but not read back into the fact.</summary>
    public ProjectionColumn<TFact> WriteOnly(ProjectionColumn<TFact> column) => column with { ReadAs = null };
}

/// <summary>A row read by position: each call reads the next column of the table's order.</summary>
internal sealed class RowCursor(NpgsqlDataReader reader)
{
    private int _next;

    public RowCursor Start()
    {
        _next = 0;
        return this;
    }

    public string Text() => reader.GetString(_next++);

    public string? OptionalText() => Columns.Str(reader, _next++);

    public int Integer() => reader.GetInt32(_next++);

    public bool Boolean() => reader.GetBoolean(_next++);

    public double? Number() => Columns.Dbl(reader, _next++);

    public DateTimeOffset? Instant() => Columns.Time(reader, _next++);

    public DateOnly? Date() => Columns.Date(reader, _next++);
}
