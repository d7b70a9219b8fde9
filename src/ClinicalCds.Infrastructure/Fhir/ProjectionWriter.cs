using ClinicalCds.Domain.Clinical;
using ClinicalCds.Infrastructure.Persistence;
using Npgsql;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>Replaces the clinical projections of changed resources, in the caller's transaction, with binary COPY.</summary>
internal static class ProjectionWriter
{
    /// <summary>The projection tables.</summary>
    public static IEnumerable<string> TableNames => Projections.All.Select(t => t.Table);

    public static async Task DeleteAsync(NpgsqlConnection connection, IReadOnlyList<(string ResourceType, string Id)> replaced, CancellationToken ct)
    {
        foreach (var projection in Projections.All)
        {
            var ids = replaced.Where(r => r.ResourceType == projection.ResourceType).Select(r => r.Id).ToArray();
            if (ids.Length == 0)
            {
                continue;
            }

            await using var delete = new NpgsqlCommand($"DELETE FROM {projection.Table} WHERE {projection.KeyColumn} = ANY(@ids)", connection);
            delete.Parameters.AddWithValue("ids", ids);
            await delete.ExecuteNonQueryAsync(ct);
        }
    }

    public static async Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<ProjectedFacts> facts, CancellationToken ct)
    {
        await Projections.Patients.CopyAsync(connection, [.. facts.Where(f => f.Patient is not null).Select(f => f.Patient!)], ct);
        await Projections.Encounters.CopyAsync(connection, [.. facts.Where(f => f.Encounter is not null).Select(f => f.Encounter!)], ct);
        await Projections.Conditions.CopyAsync(connection, [.. facts.Where(f => f.Conditions is not null).SelectMany(f => f.Conditions!)], ct);
        await Projections.Observations.CopyAsync(connection, [.. facts.Where(f => f.Observations is not null).SelectMany(f => f.Observations!)], ct);
        await Projections.Procedures.CopyAsync(connection, [.. facts.Where(f => f.Procedure is not null).Select(f => f.Procedure!)], ct);
        await Projections.MedicationRequests.CopyAsync(connection, [.. facts.Where(f => f.MedicationRequest is not null).Select(f => f.MedicationRequest!)], ct);
    }
}
