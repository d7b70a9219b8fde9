using System.Text.Json;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>
/// The OpenAPI document a hospital's integration engineer reads (issue 35 item 9): every JSON API it integrates with,
/// each operation summarised with its answers, and the FHIR API and health probes by reference.
/// </summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class ApiDocumentTests(ScoringServerFixture fixture)
{
    [Fact]
    public async Task The_document_describes_every_JSON_API_with_its_answers_and_names_FHIR_and_health_by_reference()
    {
        using var client = fixture.AdminClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var info = document.GetProperty("info");
        Assert.Equal("ClinicalCds API", info.GetProperty("title").GetString());
        var introduction = info.GetProperty("description").GetString()!;
        foreach (var reference in new[] { "/fhir/metadata", "https://cds-hooks.hl7.org/2.0/", "/health/ready", "/health/live", "OperationOutcome" })
        {
            Assert.Contains(reference, introduction, StringComparison.Ordinal);
        }

        var paths = document.GetProperty("paths");
        var expected = new (string Path, string Method, string Success)[]
        {
            ("/api/worklist", "get", "200"),
            ("/api/patients/{id}/risk", "get", "200"),
            ("/api/admin/monitoring", "get", "200"),
            ("/admin/scoring/runs", "post", "202"),
            ("/admin/scoring/runs", "get", "200"),
            ("/admin/scoring/runs/{id}", "get", "200"),
            ("/admin/cds/feedback", "get", "200"),
            ("/cds-services", "get", "200"),
            ("/cds-services/{id}", "post", "200"),
            ("/cds-services/{id}/feedback", "post", "200"),
        };
        foreach (var (path, method, success) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the document");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method.ToUpperInvariant()} {path} is not in the document");
            Assert.False(string.IsNullOrWhiteSpace(operation.TryGetProperty("summary", out var summary) ? summary.GetString() : null), $"{method} {path} has no summary");
            Assert.True(operation.GetProperty("responses").TryGetProperty(success, out var answer), $"{method} {path} does not name its {success}");
            if (path != "/cds-services/{id}/feedback")
            {
                // A JSON body with a schema a client generator can use.
                Assert.True(answer.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out _),
                    $"{method} {path}: its {success} has no JSON schema");
            }
        }

        // The hook's failures are named with their FHIR OperationOutcome bodies; its 401 is bare, as the specification says.
        var call = paths.GetProperty("/cds-services/{id}").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "400", "404", "412", "413" })
        {
            Assert.True(call.GetProperty(status).GetProperty("content").TryGetProperty("application/fhir+json", out _), $"hook {status}");
        }

        Assert.False(call.GetProperty("401").TryGetProperty("content", out _));

        // Pages, downloads and the FHIR API are not described here (FHIR describes itself at /fhir/metadata).
        Assert.DoesNotContain(paths.EnumerateObject(), p => p.Name.StartsWith("/fhir", StringComparison.Ordinal) || p.Name.StartsWith("/worklist", StringComparison.Ordinal));
    }
}
