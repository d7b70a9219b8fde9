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
}
