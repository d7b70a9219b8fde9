using ClinicalCds.IntegrationTests.Infrastructure;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>The clinicalcds executable as a user runs it: a real process against the real database.</summary>
public sealed class CliTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private Task<(int ExitCode, string Output)> Run(params string[] args) =>
        CliProcess.RunAsync(new Dictionary<string, string> { ["ConnectionStrings__ClinicalCds"] = database.ConnectionString }, args);

    [Fact]
    public async Task Written_to_a_file_or_pipe_tables_keep_their_natural_width_in_ASCII_and_no_cell_is_cut()
    {
        var (exit, output) = await Run("coverage", "--model", "readmission");
        // This store is empty: the report has no scoring target, says so and fails rather than claim every code maps.
        Assert.True(exit == 1, output);
        Assert.Contains("No scoring targets with data up to", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Every code maps", output, StringComparison.Ordinal);
        var table = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith('|') || l.StartsWith('+')).ToList();
        Assert.NotEmpty(table);
        Assert.DoesNotContain("…", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);
        Assert.All(table.Take(30), line => Assert.True(line.All(c => c < 128), line));
        // Every line of the first table (its rows are single lines) is as wide as its border; the longest names are whole.
        var start = table.FindIndex(l => l.StartsWith('+'));
        var first = table.GetRange(start, table.FindIndex(start + 1, l => l.StartsWith('+')) - start + 1);
        Assert.Single(first.Select(l => l.Length).Distinct());
        Assert.Contains(table, l => l.Contains("| ElixhauserVanWalraven ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Db_migrate_creates_a_missing_database_and_logs_no_error_doing_so()
    {
        var name = $"test_missing_{Guid.NewGuid():N}";
        var missing = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = name }.ConnectionString;
        try
        {
            var (exit, output) = await CliProcess.RunAsync(new Dictionary<string, string> { ["ConnectionStrings__ClinicalCds"] = missing }, "db", "migrate");

            Assert.True(exit == 0, output);
            Assert.Contains("Database is up to date", output, StringComparison.Ordinal);
            Assert.DoesNotContain("fail:", output, StringComparison.Ordinal); // a first run is not an error
            Assert.True(await TestDatabase.ScalarAsync(missing, "SELECT count(*) FROM \"__EFMigrationsHistory\"") > 0);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            var server = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = "postgres", Pooling = false };
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public void The_executable_is_configured_to_start_with_server_GC_and_a_fixed_heap_per_core()
    {
        // What the runtime reads when `dotnet clinicalcds.dll` starts. A misspelled MSBuild property (ServerGarbageCollector)
        // once left the collector to SDK defaults without anyone noticing; the import's throughput depends on it.
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "clinicalcds.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.GC.DynamicAdaptationMode").GetInt32());
    }

    [Fact]
    public async Task Import_reports_rejected_lines_exits_non_zero_and_keeps_the_valid_resources()
    {
        var folder = Directory.CreateTempSubdirectory("clinicalcds-cli-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "Patient.ndjson"),
                """{"resourceType":"Patient","id":"cli-1","birthDate":"1960-01-01"}""" + "\n" +
                """{"resourceType":"Patient","id":"cli-2","birthDate":"1960-02-31"}""" + "\n" +
                """{"resourceType":"Patient","id":"cli-3","gender":"male"}""" + "\n");
            var (exit, output) = await Run("import", folder.FullName);
            Assert.Equal(1, exit);
            Assert.Contains("Patient.ndjson line 2", output, StringComparison.Ordinal);
            Assert.Contains("Stored 2 resources (2 created", output, StringComparison.Ordinal);
            Assert.Equal(2, await database.ScalarAsync("SELECT count(*) FROM patients WHERE patient_id IN ('cli-1', 'cli-3')"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Features_prints_the_vector_and_score_breakdowns_as_of_the_instant()
    {
        var folder = Directory.CreateTempSubdirectory("clinicalcds-features-");
        try
        {
            string Observation(string id, string loinc, double value, string unit, string at) =>
                $$$"""{"resourceType":"Observation","id":"{{{id}}}","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"{{{loinc}}}"}]},"subject":{"reference":"Patient/feat-1"},"effectiveDateTime":"{{{at}}}","valueQuantity":{"value":{{{value}}},"unit":"{{{unit}}}","system":"http://unitsofmeasure.org","code":"{{{unit}}}"}}""";
            string[] lines =
            [
                """{"resourceType":"Patient","id":"feat-1","gender":"male","birthDate":"1948-02-01"}""",
                """{"resourceType":"Encounter","id":"feat-stay","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"priority":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActPriority","code":"EM"}]},"subject":{"reference":"Patient/feat-1"},"period":{"start":"2026-02-01T10:00:00Z","end":"2026-02-06T09:00:00Z"}}""",
                """{"resourceType":"Condition","id":"feat-chf","code":{"coding":[{"system":"http://snomed.info/sct","code":"88805009"}]},"subject":{"reference":"Patient/feat-1"},"onsetDateTime":"2020-01-01","recordedDate":"2020-01-01"}""",
                Observation("feat-hb", "718-7", 112, "g/L", "2026-02-05T08:00:00Z"),
                Observation("feat-na", "2951-2", 133, "mmol/L", "2026-02-05T08:00:00Z"),
                Observation("feat-hb-later", "718-7", 15.0, "g/dL", "2026-02-20T08:00:00Z"),
            ];
            await File.WriteAllLinesAsync(Path.Combine(folder.FullName, "record.ndjson"), lines);
            Assert.Equal(0, (await Run("import", folder.FullName)).ExitCode);

            var (exit, output) = await Run("features", "--patient", "feat-1", "--as-of", "2026-03-01T00:00:00Z", "--json");

            Assert.True(exit == 0, output);
            using var json = System.Text.Json.JsonDocument.Parse(output);
            var root = json.RootElement;
            Assert.Equal("feat-stay", root.GetProperty("encounterId").GetString());
            Assert.Equal("2026-02-06T09:00:00+00:00", root.GetProperty("asOf").GetString()); // judged at discharge
            var features = root.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("value"));
            Assert.Equal(11.2, features["HemoglobinGdl"].GetDouble(), 6); // 112 g/L, not the 15.0 of after discharge
            Assert.Equal(5, features["LengthOfStayDays"].GetInt32()); // 1 to 6 February: 5 calendar days (4 days 23 h elapsed)
            Assert.Equal(1, features["Charlson_chf"].GetInt32());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, features["AlbuminGdl"].ValueKind);
            var scores = root.GetProperty("scores").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
            // HOSPITAL: Hb 11.2 → 1, Na 133 → 1, emergent 1, LOS 5 → 2 = 5; LACE: 4 + 3 + CHF 2 + 0 = 9.
            Assert.Equal(5, scores["HOSPITAL"].GetProperty("total").GetInt32());
            Assert.Equal(9, scores["LACE"].GetProperty("total").GetInt32());
            Assert.Equal("11.2 g/dL", scores["HOSPITAL"].GetProperty("components")[0].GetProperty("patientValue").GetString());

            var table = await Run("features", "--patient", "feat-1", "--as-of", "2026-03-01T00:00:00Z");
            Assert.Equal(0, table.ExitCode);
            Assert.Contains("HOSPITAL: 5 (intermediate)", table.Output, StringComparison.Ordinal);

            // The same stay as a training row: discharged 6 February, no readmission by 10 March, so label 0.
            var csv = Path.Combine(folder.FullName, "readmission.csv");
            var dataset = await Run("dataset", "--model", "readmission", "--out", csv, "--as-of", "2026-03-10T00:00:00Z");
            Assert.True(dataset.ExitCode == 0, dataset.Output);
            var rows = await File.ReadAllLinesAsync(csv);
            Assert.StartsWith("patient_id,encounter_id,instant,split,label,event,AgeYears,", rows[0], StringComparison.Ordinal);
            var row = rows.Single(r => r.StartsWith("feat-1,", StringComparison.Ordinal)).Split(',');
            Assert.Equal(["feat-1", "feat-stay", "2026-02-06T09:00:00Z"], row[..3]);
            Assert.Equal("0", row[4]);
            Assert.Equal(rows[0].Split(',').Length, row.Length);
            Assert.Equal(2, (await Run("dataset", "--model", "mortality", "--out", csv)).ExitCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Features_of_an_unknown_patient_or_with_a_bad_instant_fail_clearly()
    {
        var unknown = await Run("features", "--patient", "nobody-here");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Patient/nobody-here is not in the store", unknown.Output, StringComparison.Ordinal);

        var badInstant = await Run("features", "--patient", "nobody-here", "--as-of", "yesterday");
        Assert.Equal(2, badInstant.ExitCode);
        Assert.Contains("not an ISO 8601 date-time", badInstant.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitoring_and_validation_export_refuse_a_future_instant_and_an_empty_export_says_why()
    {
        // Issue 32 item 6: labels from an instant whose outcomes are not known yet would read every event to come as absent.
        var future = DateTimeOffset.UtcNow.AddDays(40).ToString("O");
        foreach (var verb in new[] { new[] { "monitor", "--now", future }, ["export-validation", "--model", "readmission", "--out", Path.GetTempPath(), "--now", future] })
        {
            var (exit, output) = await Run(verb);
            Assert.Equal(2, exit);
            Assert.Contains("is after the data's present", output, StringComparison.Ordinal);
        }

        // This store has served nothing: the export writes nothing and fails, saying why.
        var folder = Path.Combine(Path.GetTempPath(), $"clinicalcds-export-{Guid.NewGuid():N}");
        var (empty, said) = await Run("export-validation", "--model", "readmission", "--out", folder);
        Assert.Equal(1, empty);
        Assert.Contains("nothing to export: no score of readmission model ", said, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any());
    }

    [Fact]
    public async Task Train_with_an_impossible_tree_shape_is_a_usage_error()
    {
        var noTrees = await Run("train", "--model", "readmission", "--trees", "0");
        Assert.Equal(2, noTrees.ExitCode);
        Assert.Contains("--trees must be at least 1", noTrees.Output, StringComparison.Ordinal);

        var oneLeaf = await Run("train", "--model", "readmission", "--leaves", "1");
        Assert.Equal(2, oneLeaf.ExitCode);
        Assert.Contains("--leaves at least 2", oneLeaf.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_add_never_prints_a_password_that_does_not_work_and_reset_password_changes_it()
    {
        const string Email = "nurse.cli@hospital.test";
        Task<string?> Hash() => database.TextAsync("SELECT password_hash FROM \"AspNetUsers\" WHERE email = @e", ("e", Email));

        var (created, createdOutput) = await Run("users", "add", "--email", Email, "--role", "care-manager");
        Assert.True(created == 0, createdOutput);
        Assert.Contains("Password (shown once):", createdOutput, StringComparison.Ordinal);
        var first = await Hash();
        Assert.NotNull(first);

        // Again with a password: refused, and the account keeps the one it has.
        var (again, againOutput) = await Run("users", "add", "--email", Email, "--role", "care-manager", "--password", "another-password-12345");
        Assert.Equal(2, again);
        Assert.Contains("users reset-password", againOutput, StringComparison.Ordinal);
        Assert.Equal(first, await Hash());

        // Again without one: the role is added, no password is printed, the password is unchanged.
        var (role, roleOutput) = await Run("users", "add", "--email", Email, "--role", "admin");
        Assert.True(role == 0, roleOutput);
        Assert.DoesNotContain("Password (shown once):", roleOutput, StringComparison.Ordinal);
        Assert.Contains("password is unchanged", roleOutput, StringComparison.Ordinal);
        Assert.Equal(first, await Hash());

        // reset-password: a new password, printed once; a weak one is refused and changes nothing.
        var (weak, weakOutput) = await Run("users", "reset-password", "--email", Email, "--password", "short");
        Assert.Equal(2, weak);
        Assert.Equal(first, await Hash());
        var (reset, resetOutput) = await Run("users", "reset-password", "--email", Email);
        Assert.True(reset == 0, resetOutput + weakOutput);
        Assert.Contains("Password (shown once):", resetOutput, StringComparison.Ordinal);
        Assert.NotEqual(first, await Hash());
        Assert.Equal(2, (await Run("users", "reset-password", "--email", "nobody@hospital.test")).ExitCode);
    }

    [Fact]
    public async Task Import_of_a_missing_path_is_a_usage_error()
    {
        var (exit, output) = await Run("import", "/nonexistent/clinicalcds/input");
        Assert.Equal(2, exit);
        Assert.Contains("not found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synth_then_import_stores_every_generated_resource()
    {
        var folder = Directory.CreateTempSubdirectory("clinicalcds-synth-");
        try
        {
            var (synthExit, _) = await Run("synth", "--patients", "40", "--seed", "3", "--out", folder.FullName);
            Assert.Equal(0, synthExit);
            var lines = Directory.GetFiles(folder.FullName, "*.ndjson").Sum(f => File.ReadLines(f).Count());
            // The class's other tests import records of their own into the same store, before or after this one.
            var resourcesBefore = await database.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE is_current");
            var patientsBefore = await database.ScalarAsync("SELECT count(*) FROM patients");
            var (importExit, output) = await Run("import", folder.FullName);
            Assert.True(importExit == 0, output);
            Assert.Equal(resourcesBefore + lines, await database.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE is_current"));
            Assert.Equal(patientsBefore + 40, await database.ScalarAsync("SELECT count(*) FROM patients"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
