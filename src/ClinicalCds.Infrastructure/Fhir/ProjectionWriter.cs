using System.Text.Json;
using ClinicalCds.Domain.Clinical;
using Npgsql;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>Replaces the clinical projections of changed resources, in the caller's transaction, with binary COPY.</summary>
internal static class ProjectionWriter
{
    internal static readonly JsonSerializerOptions LocationJson = new(JsonSerializerDefaults.Web);

    /// <summary>Projection tables and the key column that ties their rows to a FHIR resource id.</summary>
    private static readonly (string ResourceType, string Table, string KeyColumn)[] Tables =
    [
        ("Patient", "patients", "patient_id"),
        ("Encounter", "encounters", "encounter_id"),
        ("Condition", "conditions", "condition_id"),
        ("Observation", "observations", "observation_id"),
        ("Procedure", "procedures", "procedure_id"),
        ("MedicationRequest", "medication_requests", "medication_request_id"),
    ];

    /// <summary>The projection tables.</summary>
    public static IEnumerable<string> TableNames => Tables.Select(t => t.Table);

    public static async Task DeleteAsync(NpgsqlConnection connection, IReadOnlyList<(string ResourceType, string Id)> replaced, CancellationToken ct)
    {
        foreach (var (type, table, key) in Tables)
        {
            var ids = replaced.Where(r => r.ResourceType == type).Select(r => r.Id).ToArray();
            if (ids.Length == 0)
            {
                continue;
            }

            await using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE {key} = ANY(@ids)", connection);
            delete.Parameters.AddWithValue("ids", ids);
            await delete.ExecuteNonQueryAsync(ct);
        }
    }

    public static async Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<ProjectedFacts> facts, CancellationToken ct)
    {
        var patients = facts.Where(f => f.Patient is not null).Select(f => f.Patient!).ToList();
        if (patients.Count > 0)
        {
            await using var w = await connection.BeginBinaryImportAsync(
                "COPY patients (patient_id, birth_date, sex, deceased, deceased_at, name, mrn, race, ethnicity) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var p in patients)
            {
                await w.StartRowAsync(ct);
                await w.Text(p.PatientId, ct);
                await w.Date(p.BirthDate, ct);
                await w.Text(p.Sex, ct);
                await w.Boolean(p.Deceased, ct);
                await w.Instant(p.DeceasedAt, ct);
                await w.Text(p.Name, ct);
                await w.Text(p.Mrn, ct);
                await w.Text(p.Race, ct);
                await w.Text(p.Ethnicity, ct);
            }

            await w.CompleteAsync(ct);
        }

        var encounters = facts.Where(f => f.Encounter is not null).Select(f => f.Encounter!).ToList();
        if (encounters.Count > 0)
        {
            await using var w = await connection.BeginBinaryImportAsync(
                "COPY encounters (encounter_id, patient_id, status, class_code, type_system, type_code, type_display, period_start, period_end, " +
                "priority_code, admit_source, discharge_disposition, service_type, had_intensive_care, locations) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var e in encounters)
            {
                await w.StartRowAsync(ct);
                await w.Text(e.EncounterId, ct);
                await w.Text(e.PatientId, ct);
                await w.Text(e.Status, ct);
                await w.Text(e.ClassCode, ct);
                await w.Text(e.TypeSystem, ct);
                await w.Text(e.TypeCode, ct);
                await w.Text(e.TypeDisplay, ct);
                await w.Instant(e.Start, ct);
                await w.Instant(e.End, ct);
                await w.Text(e.PriorityCode, ct);
                await w.Text(e.AdmitSource, ct);
                await w.Text(e.DischargeDisposition, ct);
                await w.Text(e.ServiceType, ct);
                await w.Boolean(e.HadIntensiveCare, ct);
                await w.Jsonb(JsonSerializer.Serialize(e.Locations, LocationJson), ct);
            }

            await w.CompleteAsync(ct);
        }

        var conditions = facts.Where(f => f.Conditions is not null).SelectMany(f => f.Conditions!).ToList();
        if (conditions.Count > 0)
        {
            await using var w = await connection.BeginBinaryImportAsync(
                "COPY conditions (condition_id, seq, patient_id, encounter_id, system, code, display, clinical_status, verification_status, " +
                "category, onset, recorded, abatement) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var c in conditions)
            {
                await w.StartRowAsync(ct);
                await w.Text(c.ConditionId, ct);
                await w.Integer(c.Seq, ct);
                await w.Text(c.PatientId, ct);
                await w.Text(c.EncounterId, ct);
                await w.Text(c.System, ct);
                await w.Text(c.Code, ct);
                await w.Text(c.Display, ct);
                await w.Text(c.ClinicalStatus, ct);
                await w.Text(c.VerificationStatus, ct);
                await w.Text(c.Category, ct);
                await w.Instant(c.Onset, ct);
                await w.Instant(c.Recorded, ct);
                await w.Instant(c.Abatement, ct);
            }

            await w.CompleteAsync(ct);
        }

        var observations = facts.Where(f => f.Observations is not null).SelectMany(f => f.Observations!).ToList();
        if (observations.Count > 0)
        {
            await using var w = await connection.BeginBinaryImportAsync(
                "COPY observations (observation_id, seq, patient_id, encounter_id, system, code, value, unit, original_value, original_unit, " +
                "value_code, status, effective) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var o in observations)
            {
                await w.StartRowAsync(ct);
                await w.Text(o.ObservationId, ct);
                await w.Integer(o.Seq, ct);
                await w.Text(o.PatientId, ct);
                await w.Text(o.EncounterId, ct);
                await w.Text(o.System, ct);
                await w.Text(o.Code, ct);
                await w.Number(o.Value, ct);
                await w.Text(o.Unit, ct);
                await w.Number(o.OriginalValue, ct);
                await w.Text(o.OriginalUnit, ct);
                await w.Text(o.ValueCode, ct);
                await w.Text(o.Status, ct);
                await w.Instant(o.Effective, ct);
            }

            await w.CompleteAsync(ct);
        }

        var procedures = facts.Where(f => f.Procedure is not null).Select(f => f.Procedure!).ToList();
        if (procedures.Count > 0)
        {
            await using var w = await connection.BeginBinaryImportAsync(
                "COPY procedures (procedure_id, patient_id, encounter_id, system, code, display, status, performed_start, performed_end) " +
                "FROM STDIN (FORMAT BINARY)", ct);
            foreach (var p in procedures)
            {
                await w.StartRowAsync(ct);
                await w.Text(p.ProcedureId, ct);
                await w.Text(p.PatientId, ct);
                await w.Text(p.EncounterId, ct);
                await w.Text(p.System, ct);
                await w.Text(p.Code, ct);
                await w.Text(p.Display, ct);
                await w.Text(p.Status, ct);
                await w.Instant(p.PerformedStart, ct);
                await w.Instant(p.PerformedEnd, ct);
            }

            await w.CompleteAsync(ct);
        }

        var medications = facts.Where(f => f.MedicationRequest is not null).Select(f => f.MedicationRequest!).ToList();
        if (medications.Count > 0)
        {
            await using var w = await connection.BeginBinaryImportAsync(
                "COPY medication_requests (medication_request_id, patient_id, encounter_id, system, code, display, status, intent, authored_on) " +
                "FROM STDIN (FORMAT BINARY)", ct);
            foreach (var m in medications)
            {
                await w.StartRowAsync(ct);
                await w.Text(m.MedicationRequestId, ct);
                await w.Text(m.PatientId, ct);
                await w.Text(m.EncounterId, ct);
                await w.Text(m.System, ct);
                await w.Text(m.Code, ct);
                await w.Text(m.Display, ct);
                await w.Text(m.Status, ct);
                await w.Text(m.Intent, ct);
                await w.Instant(m.AuthoredOn, ct);
            }

            await w.CompleteAsync(ct);
        }
    }
}
