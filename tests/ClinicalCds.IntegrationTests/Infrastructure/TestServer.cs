using ClinicalCds.Api.Hosting;
using Microsoft.AspNetCore.Builder;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>
/// The one way a test starts a ClinicalCds server: the product's own host (<see cref="WebApp.Build"/>) on real Kestrel
/// at a free loopback port, on the test's database, its public base URL that same address, the test administrator's
/// key, framework logs at Warning — and on top only the settings the test is about (a later setting wins).
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebApplication app, Uri baseUrl) => (App, BaseUrl) = (app, baseUrl);

    public WebApplication App { get; }

    public Uri BaseUrl { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>
    /// A free address to listen at: <paramref name="host"/> "localhost" gives a site of its own beside a 127.0.0.1 one
    /// (an identity provider's), as browsers tell sites apart. For a test whose settings must name the address first.
    /// </summary>
    public static Uri FreeAddress(string host = "127.0.0.1") => new($"http://{host}:{Ports.Free()}");

    /// <summary>Builds and starts a server on <paramref name="connectionString"/>, at <paramref name="at"/> or a free loopback address.</summary>
    public static async Task<TestServer> StartAsync(string connectionString, IEnumerable<string> settings, Action<WebApplicationBuilder>? configure = null, Uri? at = null)
    {
        var server = Build(connectionString, settings, configure, at);
        await server.App.StartAsync();
        return server;
    }

    /// <summary>As <see cref="StartAsync"/>, not started yet.</summary>
    public static TestServer Build(string connectionString, IEnumerable<string> settings, Action<WebApplicationBuilder>? configure = null, Uri? at = null)
    {
        var baseUrl = at ?? FreeAddress();
        var app = WebApp.Build(
        [
            $"--urls={baseUrl}",
            $"--CdsHooks:PublicBaseUrl={baseUrl}",
            $"--ConnectionStrings:ClinicalCds={connectionString}",
            TestAdmin.Setting,
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ], configure);
        return new TestServer(app, baseUrl);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
