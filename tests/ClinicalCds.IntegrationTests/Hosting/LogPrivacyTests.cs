using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClinicalCds.Api.Hosting;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>
/// A server whose own code logs at Trace (framework categories at their shipped levels) imports and scores a
/// population; then a patient's name, MRN and birth date, and a fhirAuthorization token, go through hooks, the
/// worklist and the patient page. None of them may appear in any log line.
/// </summary>
public sealed class LogPrivacyTests : IAsyncLifetime
{
    private const string PlantedToken = "planted-access-token-5b8e1f0c9a7d4e36";

    private readonly string _population = Path.Combine(Path.GetTempPath(), $"clinicalcds-logs-{Guid.NewGuid():N}");
    private readonly TestDatabase _database = new();
    private readonly LogCapture _logs = new();
    private WebApplication? _api;
    private Uri _baseUrl = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var server = await TestServer.StartAsync(_database.ConnectionString,
        [
            $"--Models:Root={Path.Combine(Repository.Root, "models")}",
            "--Models:GoLive:Required=false",
            "--Jobs:RunServerInApi=true",
            "--Jobs:QueuePollIntervalSeconds=1",
            $"--Scoring:AsOf={new DateTimeOffset(SyntheticOptions.DefaultAsOf):O}",
            "--CdsHooks:RequireAuthentication=false",
            "--CdsHooks:StoreFallback=true",
            "--CdsHooks:ShowLowRisk=true",
            "--CdsHooks:FetchTimeoutSeconds=2",
            // The shipped levels for the framework; everything of ours, and Hangfire's, at its most verbose.
            "--Logging:LogLevel:Default=Information",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning",
            "--Logging:LogLevel:ClinicalCds=Trace",
            "--Logging:LogLevel:Hangfire=Trace",
        ], builder => builder.Logging.AddProvider(_logs));
        (_api, _baseUrl) = (server.App, server.BaseUrl);

        PopulationGenerator.Generate(new SyntheticOptions(120, 53, SyntheticOptions.DefaultAsOf), _population);
        using var admin = TestAdmin.Client(_baseUrl);
        await TestAdmin.ImportPopulationAsync(admin, _population);
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _database.DisposeAsync();
        Directory.Delete(_population, recursive: true);
    }

    [Fact]
    public async Task No_name_MRN_birth_date_or_token_reaches_a_log_line_through_hooks_scoring_and_the_worklist()
    {
        using var admin = TestAdmin.Client(_baseUrl);
        using (var run = await admin.PostAsJsonAsync("/admin/scoring/runs", new { cohort = "last-12-months", model = "readmission" }))
        {
            Assert.True(run.StatusCode == HttpStatusCode.Accepted, string.Join("\n", _logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal))));
        }

        await WaitForAsync("SELECT count(*) FROM score_runs WHERE status = 'completed'", 1);

        // The planted patient: one the run scored, with the name, MRN and birth date the store holds for them.
        var (patientId, name, mrn, birthDate) = await PlantedPatientAsync();
        var secrets = name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(part => part.Length >= 4)
            .Append(mrn).Append(birthDate).Append(PlantedToken).Append(TestAdmin.Key).ToList();

        // Hooks: a patient-view answered from the store, and a discharge whose fhirServer cannot be reached with the token.
        using var hooks = new HttpClient { BaseAddress = _baseUrl };
        using (var view = await hooks.PostAsJsonAsync("/cds-services/patient-risk-summary", Hook("patient-view", patientId, null)))
        {
            Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        }

        using (var discharge = await hooks.PostAsJsonAsync("/cds-services/readmission-risk", Hook("encounter-discharge", patientId, "http://127.0.0.1:9/fhir")))
        {
            Assert.True(discharge.StatusCode is HttpStatusCode.OK or HttpStatusCode.PreconditionFailed, $"{discharge.StatusCode}");
        }

        // The worklist: searched by name and by MRN; the patient's risk, page, CSV row and FHIR record.
        foreach (var path in new[]
        {
            $"/api/worklist?q={Uri.EscapeDataString(name)}", $"/api/worklist?q={mrn}", $"/api/patients/{patientId}/risk",
            $"/worklist/patients/{patientId}", $"/worklist.csv?q={mrn}", $"/fhir/Patient/{patientId}",
        })
        {
            using var response = await admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(mrn, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.True(_logs.Lines.Count > 20, $"only {_logs.Lines.Count} log lines were captured");
        var leaks = _logs.Lines.SelectMany(line => secrets.Where(s => line.Contains(s, StringComparison.OrdinalIgnoreCase)).Select(s => $"{s}: {line}")).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(10)));
    }

    private static JsonObject Hook(string hook, string patientId, string? fhirServer)
    {
        var request = new JsonObject
        {
            ["hook"] = hook,
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["context"] = new JsonObject { ["userId"] = "Practitioner/planted", ["patientId"] = patientId },
        };
        if (hook == "encounter-discharge")
        {
            request["context"]!["encounterId"] = "planted-encounter";
        }

        if (fhirServer is not null)
        {
            request["fhirServer"] = fhirServer;
            request["fhirAuthorization"] = new JsonObject
            {
                ["access_token"] = PlantedToken, ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "user/*.read", ["subject"] = "clinicalcds",
            };
        }

        return request;
    }

    private async Task<(string PatientId, string Name, string Mrn, string BirthDate)> PlantedPatientAsync()
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT p.patient_id, p.name, p.mrn, p.birth_date FROM latest_risk_scores l JOIN patients p USING (patient_id)
            WHERE l.model = 'readmission' AND p.name IS NOT NULL AND p.mrn IS NOT NULL ORDER BY l.probability DESC LIMIT 1
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "The run scored nobody.");
        return (reader.GetString(0), reader.GetString(1), reader.GetString(2),
            reader.GetFieldValue<DateOnly>(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    private async Task WaitForAsync(string sql, long expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await _database.ScalarAsync(sql) != expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out: {sql}\n{await _database.JobsReportAsync()}");
            }

            await Task.Delay(200);
        }
    }
}
