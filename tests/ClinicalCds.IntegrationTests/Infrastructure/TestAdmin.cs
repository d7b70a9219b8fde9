using System.Net.Http.Headers;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>The administrator API key every test server is configured with, and clients that present it.</summary>
public static class TestAdmin
{
    public const string Key = "test-admin-key-7f3a9c2e41d8";

    /// <summary>The command-line setting that configures the key on a server.</summary>
    public const string Setting = $"--Admin:ApiKeys:0={Key}";

    public static HttpClient Client(Uri baseUrl)
    {
        var client = new HttpClient { BaseAddress = baseUrl };
        Authorize(client);
        return client;
    }

    public static void Authorize(HttpClient client) => client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

    /// <summary>Imports every NDJSON file of a generated population through <c>POST /fhir/$import</c>, as the data team would; each file must answer 200.</summary>
    public static async Task ImportPopulationAsync(HttpClient admin, string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*.ndjson").Order(StringComparer.Ordinal))
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            content.Headers.ContentType = new("application/fhir+ndjson");
            using var response = await admin.PostAsync("/fhir/$import", content);
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{Path.GetFileName(file)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
