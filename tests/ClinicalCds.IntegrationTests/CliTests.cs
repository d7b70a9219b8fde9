using System.Diagnostics;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests;

/// <summary>The clinicalcds executable as a user runs it: a real process against the real database.</summary>
public sealed class CliTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private async Task<(int ExitCode, string Output)> Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clinicalcds.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__ClinicalCds"] = database.ConnectionString;
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
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
            var (importExit, output) = await Run("import", folder.FullName);
            Assert.True(importExit == 0, output);
            Assert.Equal(lines, await database.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE is_current AND id NOT LIKE 'cli-%'"));
            Assert.Equal(40, await database.ScalarAsync("SELECT count(*) FROM patients WHERE patient_id NOT LIKE 'cli-%'"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
