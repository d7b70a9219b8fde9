using System.Text.Json;
using ClinicalCds.Fhir.Mapping;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.TestSupport;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Persistence;

/// <summary>
/// The PatientRaceEthnicity migration fills race and ethnicity of patients stored before it, from their stored JSON,
/// exactly as the fact mapper reads them for patients stored after it.
/// </summary>
public sealed class PatientRaceMigrationTests
{
    private const string Before = "20261126013135_DataProtectionKeys";
    private const string Race = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
    private const string Ethnicity = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";

    [Fact]
    public async Task Patients_stored_before_the_migration_get_the_race_and_ethnicity_the_fact_mapper_reads()
    {
        var patients = SyntheaPatients().Concat(
        [
            Patient("two-races", $$$"""[{"url":"{{{Race}}}","extension":[{"url":"ombCategory","valueCoding":{"code":"2106-3","display":"White"}},{"url":"ombCategory","valueCoding":{"code":"2028-9","display":"Asian"}}]}]"""),
            Patient("code-only", $$$"""[{"url":"{{{Race}}}","extension":[{"url":"ombCategory","valueCoding":{"code":"2054-5"}}]},{"url":"{{{Ethnicity}}}","extension":[{"url":"text","valueString":"Declined"}]}]"""),
            Patient("no-extension", null),
        ]).ToList();
        var database = TestDatabase.AtMigration(Before);
        await database.InitializeAsync();
        try
        {
            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync();
                foreach (var (id, json) in patients)
                {
                    await using var insert = new NpgsqlCommand(
                        "INSERT INTO fhir_resources (resource_type, id, version_id, is_current, patient_id, last_updated, content) VALUES ('Patient', @id, 1, true, @id, now(), @json::jsonb);" +
                        "INSERT INTO patients (patient_id, deceased) VALUES (@id, false);", connection);
                    insert.Parameters.AddWithValue("id", id);
                    insert.Parameters.AddWithValue("json", json);
                    await insert.ExecuteNonQueryAsync();
                }
            }

            await database.MigrateAsync();

            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync();
                await using var read = new NpgsqlCommand("SELECT patient_id, race, ethnicity FROM patients", connection);
                await using var reader = await read.ExecuteReaderAsync();
                var stored = new Dictionary<string, (string?, string?)>();
                while (await reader.ReadAsync())
                {
                    stored[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
                }

                Assert.Equal(patients.Count, stored.Count);
                foreach (var (id, json) in patients)
                {
                    using var document = JsonDocument.Parse(json);
                    var fact = FactMapper.Map(document.RootElement).Patient!;
                    Assert.Equal((fact.Race, fact.Ethnicity), stored[id]);
                }

                Assert.Equal(("Multiple", null), stored["two-races"]);
                Assert.Equal(("2054-5", "Declined"), stored["code-only"]);
                Assert.Equal((null, null), stored["no-extension"]);
            }
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static (string Id, string Json) Patient(string id, string? extensions) =>
        (id, extensions is null ? $$"""{"resourceType":"Patient","id":"{{id}}"}""" : $$"""{"resourceType":"Patient","id":"{{id}}","extension":{{extensions}}}""");

    private static IEnumerable<(string Id, string Json)> SyntheaPatients() =>
        Directory.GetFiles(Fixtures.SyntheaDirectory, "*.json")
            .Select(file => JsonDocument.Parse(File.ReadAllBytes(file)))
            .SelectMany(bundle => bundle.RootElement.GetProperty("entry").EnumerateArray()
                .Select(e => e.GetProperty("resource"))
                .Where(r => r.GetProperty("resourceType").GetString() == "Patient")
                .Select(r => (r.GetProperty("id").GetString()!, r.GetRawText()))
                .ToList());
}
