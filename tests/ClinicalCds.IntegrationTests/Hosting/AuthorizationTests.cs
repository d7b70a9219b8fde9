using System.Net;
using System.Text;
using ClinicalCds.Api.Hosting;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>
/// Walks every route the running server has (read from its endpoint data source, so a route added tomorrow is walked
/// too) and proves each answers only to its credential: anonymous, a CDS client's JWT, a signed-in care manager, or
/// an administrator. A route nobody has classified fails the test until it is.
/// </summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class AuthorizationTests(ScoringServerFixture fixture)
{
    private enum Access
    {
        Anonymous,
        CdsClient,
        CareManager,
        Admin,

        /// <summary>The "No access" page: shown to whoever is sent there, always as a 403 (as an API refuses a known caller).</summary>
        NoAccessPage,
    }

    /// <summary>Every route pattern, by the credential it needs.</summary>
    private static readonly Dictionary<string, Access> Routes = new(StringComparer.Ordinal)
    {
        ["/"] = Access.Anonymous,
        ["/health/live"] = Access.Anonymous,
        ["/health/ready"] = Access.Anonymous,
        ["/cds-services/"] = Access.Anonymous,
        ["/fhir/metadata"] = Access.Anonymous,
        ["/account/login"] = Access.Anonymous,
        ["/account/logout"] = Access.Anonymous,
        ["/account/denied"] = Access.NoAccessPage,
        ["/favicon.svg"] = Access.Anonymous,
        ["/favicon.ico"] = Access.Anonymous,
        ["/account/external"] = Access.Anonymous, // back from the hospital's identity provider
        ["/models/{name}"] = Access.Anonymous,
        ["/cds-services/{id}"] = Access.CdsClient,
        ["/cds-services/{id}/feedback"] = Access.CdsClient,
        ["/fhir/{type}"] = Access.CareManager,
        ["/fhir/{type}/_search"] = Access.CareManager,
        ["/fhir/{type}/{id}"] = Access.CareManager,
        ["/fhir/{type}/{id}/_history/{version}"] = Access.CareManager,
        ["/fhir/RiskAssessment/"] = Access.CareManager,
        ["/fhir/RiskAssessment/{id}"] = Access.CareManager,
        ["/api/worklist"] = Access.CareManager,
        ["/api/patients/{id}/risk"] = Access.CareManager,
        ["/worklist.csv"] = Access.CareManager,
        ["/worklist"] = Access.CareManager,
        ["/worklist/patients/{id}"] = Access.CareManager,
        ["/openapi/{documentName}.json"] = Access.CareManager,
        ["/api/reference/{documentName?}"] = Access.CareManager,
        ["/api/reference/scalar.js"] = Access.Anonymous, // the reference page's own script and icon: no data
        ["/api/reference/scalar.aspnetcore.js"] = Access.Anonymous,
        ["/api/reference/favicon.svg"] = Access.Anonymous,
        ["/fhir/"] = Access.Admin,
        ["/fhir/$import"] = Access.Admin,
        ["/admin/scoring/runs"] = Access.Admin,
        ["/api/admin/monitoring"] = Access.Admin,
        ["/admin/scoring/runs/{id:long}"] = Access.Admin,
        ["/models"] = Access.Admin,
        ["/admin/data"] = Access.Admin,
        ["/admin/feedback"] = Access.Admin,
        ["/admin/monitoring"] = Access.Admin,
        ["/admin/cds/feedback"] = Access.Admin,
        ["/jobs/{**path}"] = Access.Admin,
    };

    private sealed record Call(string Pattern, string Method, string Path, Access Access);

    private IReadOnlyList<Call> WalkRoutes()
    {
        var endpoints = fixture.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var unclassified = new List<string>();
        var calls = new List<Call>();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/');
            if (!Routes.TryGetValue(pattern, out var access))
            {
                unclassified.Add(pattern);
                continue;
            }

            // A route of any method (a page, the dashboard) is authorized alike for all; its POSTs want an antiforgery token.
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods.Where(m => m is "GET" or "POST"))
            {
                calls.Add(new Call(pattern, method, Concrete(endpoint.RoutePattern), access));
            }
        }

        Assert.True(unclassified.Count == 0, $"Routes nobody classified: {string.Join(", ", unclassified.Distinct())}");
        Assert.True(calls.Select(c => c.Pattern).Distinct().Count() >= Routes.Count - 2, "The walk found fewer routes than the table names.");
        return calls;
    }

    /// <summary>A URL for the pattern: every parameter filled with a harmless sample value.</summary>
    private static string Concrete(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart { IsCatchAll: true } => string.Empty,
                    RoutePatternParameterPart { Name: "id" } p when p.ParameterPolicies.Any(x => x.Content == "long") => "1",
                    RoutePatternParameterPart { Name: "type" } => "Patient",
                    RoutePatternParameterPart { Name: "name" } => "readmission",
                    RoutePatternParameterPart { Name: "documentName" } => "v1",
                    RoutePatternParameterPart { Name: "version" } => "1",
                    RoutePatternParameterPart { Name: "id" } => "readmission-risk",
                    RoutePatternParameterPart => "x",
                    _ => string.Empty,
                });
            }
        }

        return path.Length == 0 ? "/" : path.ToString();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, Call call)
    {
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Path);
        if (call.Method == "POST")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    /// <summary>What the server answers someone it does not let in: 401 for APIs, a redirect to sign-in or "No access" for pages.</summary>
    private static bool Refused(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || (response.StatusCode == HttpStatusCode.Redirect
            && response.Headers.Location?.OriginalString is { } location
            && (location.Contains("/account/login", StringComparison.Ordinal) || location.Contains("/account/denied", StringComparison.Ordinal)));

    private HttpClient Client(string? bearer = null, string? cookie = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = fixture.BaseUrl };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        }

        if (cookie is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", cookie);
        }

        return client;
    }

    [Fact]
    public async Task Every_route_refuses_a_caller_without_its_credential_and_admits_one_with_it()
    {
        var calls = WalkRoutes();
        using var anonymous = Client();
        using var admin = Client(bearer: TestAdmin.Key);
        using var careManager = Client(cookie: await fixture.SignInAsync(ScoringServerFixture.CareManager));
        using var forged = Client(bearer: "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2Voci50ZXN0LyJ9.");
        var wrong = new List<string>();

        foreach (var call in calls)
        {
            using var asAnonymous = await SendAsync(anonymous, call);
            using var asCareManager = await SendAsync(careManager, call);
            using var asAdmin = await SendAsync(admin, call);
            var expected = call.Access switch
            {
                Access.Anonymous => (false, false, false),
                Access.CdsClient => (true, true, true), // a hook call takes a CDS client's JWT and nothing else
                Access.CareManager => (true, false, false),
                Access.Admin => (true, true, false),
                Access.NoAccessPage => (true, true, true),
                _ => throw new InvalidOperationException(),
            };
            var actual = (Refused(asAnonymous), Refused(asCareManager), Refused(asAdmin));
            if (actual != expected)
            {
                wrong.Add($"{call.Method} {call.Path} ({call.Access}): refused anonymous/care-manager/admin = {actual}, expected {expected} "
                    + $"[{(int)asAnonymous.StatusCode} {(int)asCareManager.StatusCode} {(int)asAdmin.StatusCode}]");
            }

            if (call.Access == Access.CdsClient)
            {
                using var asForged = await SendAsync(forged, call);
                Assert.Equal(HttpStatusCode.Unauthorized, asForged.StatusCode);
                Assert.Empty(await asForged.Content.ReadAsByteArrayAsync()); // a bare 401, as the CDS Hooks specification says
            }

            Assert.True((int)asAdmin.StatusCode < 500, $"{call.Method} {call.Path} answered the administrator {(int)asAdmin.StatusCode}");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Pages_carry_a_script_free_content_security_policy_and_every_answer_forbids_sniffing_and_framing()
    {
        using var anonymous = Client();
        using var login = await anonymous.GetAsync("/account/login");
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, login.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("script-src", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);

        foreach (var path in new[] { "/account/login", "/api/worklist", "/health/live", "/fhir/Patient/x", "/cds-services" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }

        // The jobs dashboard runs its own scripts: it keeps the other headers but not our CSP.
        using var dashboard = Client(bearer: TestAdmin.Key);
        using var jobs = await dashboard.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        Assert.DoesNotContain(SecurityHeaders.ContentSecurityPolicy, jobs.Headers.TryGetValues("Content-Security-Policy", out var csp) ? csp : []);
        Assert.Equal("nosniff", jobs.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
