using System.Net;
using System.Text.Json;
using ClinicalCds.Infrastructure.Health;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>/health/live and /health/ready on the scoring server (database, models and a job server all present).</summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class HealthTests(ScoringServerFixture fixture)
{
    [Fact]
    public async Task Live_and_ready_answer_anonymously_and_ready_names_each_dependency()
    {
        using var client = new HttpClient { BaseAddress = fixture.BaseUrl };
        using var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var checks = report.RootElement.GetProperty("checks");
        Assert.Equal(["hospital-sign-in", "input-drift", "jobs", "model-performance", "models", "postgresql", "result-feed"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.Contains("readmission", checks.GetProperty("models").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(checks.GetProperty("jobs").GetProperty("data").GetProperty("servers").GetInt32() >= 1);
    }
}

/// <summary>Health checks and transport headers on hosts configured otherwise than the shared servers.</summary>
public sealed class HostHealthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Ready_degrades_without_a_job_server_and_the_database_check_fails_without_naming_the_server()
    {
        using var client = api.CreateAnonymousClient();
        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Degraded", report.RootElement.GetProperty("status").GetString());
        Assert.Equal("Degraded", report.RootElement.GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());

        await using var nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=secret-user;Database=secret-db;Timeout=2");
        var result = await new DatabaseHealthCheck(nowhere).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.DoesNotContain("secret", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_TLS_outside_development_every_answer_carries_HSTS()
    {
        await using var production = api.WithWebHostBuilder(host => host.UseEnvironment("Production").UseSetting("CdsHooks:PublicBaseUrl", "https://cds.hospital.test"));
        using var tls = production.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://cds.hospital.test") });
        using var response = await tls.GetAsync("/health/live");
        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);

        using var plain = production.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://cds.hospital.test") });
        using var overHttp = await plain.GetAsync("/health/live");
        Assert.False(overHttp.Headers.Contains("Strict-Transport-Security"));
    }
}
