using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>The real web application on a fresh database of its own.</summary>
/// <remarks>Any type of the Api assembly names its entry point; `Program` is ambiguous, since the CLI has one too.</remarks>
public sealed class ApiFactory : WebApplicationFactory<ClinicalCds.Api.Fhir.FhirResult>, IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string>? settings;

    /// <summary>As xUnit creates a class fixture (one public constructor): the shipped settings only.</summary>
    public ApiFactory()
    {
    }

    /// <summary>With settings of a test's own (e.g. terminology folders).</summary>
    internal ApiFactory(IReadOnlyDictionary<string, string> settings) => this.settings = settings;

    public TestDatabase Database { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder
            .UseSetting("ConnectionStrings:ClinicalCds", Database.ConnectionString)
            .UseSetting("Admin:ApiKeys:0", TestAdmin.Key)
            // The shipped models are validated on no hospital's patients: tests see their cards as the demo does (the gate
            // itself is tested with it on, GoLiveTests), each card saying so.
            .UseSetting("Models:GoLive:Required", "false");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Clients act as the data team's administrator key; <see cref="CreateAnonymousClient"/> presents nothing.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        TestAdmin.Authorize(client);
        // Imports of whole synthetic populations take a while when every test class runs at once.
        client.Timeout = TimeSpan.FromMinutes(10);
    }

    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    public Task InitializeAsync() => Database.InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}
