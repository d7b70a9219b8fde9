using System.Net;
using System.Text;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Fhir;

/// <summary>
/// NDJSON batches are written as parallel transactions of disjoint write partitions, each under its partitions'
/// advisory locks. Whatever runs at once, every resource keeps one current version, numbered without gaps, and the
/// last line of an import wins.
/// </summary>
public sealed class ConcurrentWriteTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static string Patient(string id, string birthDate) =>
        $$$"""{"resourceType":"Patient","id":"{{{id}}}","gender":"female","birthDate":"{{{birthDate}}}"}""";

    private async Task<HttpStatusCode> Import(IEnumerable<string> lines)
    {
        using var client = api.CreateClient();
        using var content = new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/fhir+ndjson");
        using var response = await client.PostAsync("/fhir/$import", content);
        return response.StatusCode;
    }

    private Task<long> Scalar(string sql) => api.Database.ScalarAsync(sql);

    [Fact]
    public async Task The_last_line_of_a_resource_wins_across_batches_and_its_versions_are_numbered_without_gaps()
    {
        // 3 patients × 2,500 lines, each line a new birth date: spread over four 2,000-line batches.
        var lines = Enumerable.Range(0, 7_500)
            .Select(i => Patient($"cw-last-{i % 3}", new DateOnly(1900, 1, 1).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(HttpStatusCode.OK, await Import(lines));

        for (var p = 0; p < 3; p++)
        {
            var last = new DateOnly(1900, 1, 1).AddDays(7_500 - 3 + p);
            Assert.Equal(1, await Scalar($"SELECT count(*) FROM fhir_resources WHERE id = 'cw-last-{p}' AND is_current " +
                                         $"AND content->>'birthDate' = '{last:yyyy-MM-dd}'"));
            Assert.Equal(last.DayNumber, await Scalar($"SELECT (birth_date - '0001-01-01'::date)::bigint FROM patients WHERE patient_id = 'cw-last-{p}'"));
            var versions = await Scalar($"SELECT count(*) FROM fhir_resources WHERE id = 'cw-last-{p}'");
            Assert.Equal(4, versions);
            Assert.Equal(versions, await Scalar($"SELECT max(version_id) FROM fhir_resources WHERE id = 'cw-last-{p}'"));
        }
    }

    [Fact]
    public async Task Concurrent_imports_of_the_same_resources_leave_one_current_version_each_numbered_without_gaps()
    {
        const int Imports = 4, Patients = 300;
        var imports = Enumerable.Range(0, Imports).Select(k => Import(Enumerable.Range(0, Patients)
            .Select(p => Patient($"cw-race-{p}", $"19{40 + k}-0{1 + (p % 9)}-15"))));
        Assert.All(await Task.WhenAll(imports), status => Assert.Equal(HttpStatusCode.OK, status));

        Assert.Equal(Patients, await Scalar("SELECT count(*) FROM fhir_resources WHERE id LIKE 'cw-race-%' AND is_current"));
        Assert.Equal(Patients * Imports, await Scalar("SELECT count(*) FROM fhir_resources WHERE id LIKE 'cw-race-%'"));
        Assert.Equal(Patients, await Scalar(
            "SELECT count(*) FROM (SELECT id FROM fhir_resources WHERE id LIKE 'cw-race-%' GROUP BY id " +
            "HAVING min(version_id) = 1 AND max(version_id) = count(*) AND count(DISTINCT version_id) = count(*)) complete"));
        // The projection holds the current version's birth date, whichever import wrote it last.
        Assert.Equal(0, await Scalar(
            "SELECT count(*) FROM fhir_resources r JOIN patients p ON p.patient_id = r.id " +
            "WHERE r.id LIKE 'cw-race-%' AND r.is_current AND (r.content->>'birthDate')::date <> p.birth_date"));
        Assert.Equal(Patients, await Scalar("SELECT count(*) FROM patients WHERE patient_id LIKE 'cw-race-%'"));
    }
}
