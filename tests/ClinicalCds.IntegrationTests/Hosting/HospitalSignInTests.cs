using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalCds.Api.Hosting;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>
/// Sign-in through a hospital identity provider (OpenID Connect, code flow with PKCE), against a small provider of our
/// own on a loopback port: discovery, JWKS, an authorize endpoint that answers as a browser would be answered
/// (form_post), and a token endpoint issuing RS256 ID tokens with the person's roles.
/// </summary>
public sealed partial class HospitalSignInTests : IAsyncLifetime
{
    private const string ClientId = "clinicalcds";
    private const string ClientSecret = "test-client-secret-4d2f";

    private readonly TestDatabase _database = new();
    private readonly LogCapture _logs = new();
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "idp-1" };
    private readonly ConcurrentDictionary<string, (string Nonce, string Person)> _codes = new();
    private WebApplication? _provider;
    private WebApplication? _api;
    private Uri _apiUrl = null!;

    /// <summary>Who the provider signs in next, with the roles it asserts.</summary>
    private static readonly Dictionary<string, (string Email, string[] Roles)> People = new()
    {
        ["p-care"] = ("nurse.navigator@hospital.test", ["cds-care", "staff"]),
        ["p-admin"] = ("data.lead@hospital.test", ["cds-admin"]),
        ["p-none"] = ("visitor@hospital.test", ["staff"]),
    };

    private string _next = "p-care";

    [GeneratedRegex("""name="(\w+)" value="([^"]*)""")]
    private static partial Regex HiddenField();

    [GeneratedRegex("""action="([^"]+)""")]
    private static partial Regex FormAction();

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var builder = WebApplication.CreateSlimBuilder();
        var issuer = $"http://127.0.0.1:{Ports.Free()}";
        builder.WebHost.UseKestrel().UseUrls(issuer);
        _provider = builder.Build();
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(_key);
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["authorization_endpoint"] = $"{issuer}/authorize",
            ["token_endpoint"] = $"{issuer}/token",
            ["jwks_uri"] = $"{issuer}/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        _provider.MapGet("/jwks", () => Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, n = jwk.N, e = jwk.E, use = "sig", alg = "RS256" } } }));
        _provider.MapGet("/authorize", (HttpRequest request) =>
        {
            Assert.Equal(ClientId, request.Query["client_id"]);
            Assert.Equal("code", request.Query["response_type"]);
            Assert.Equal("S256", request.Query["code_challenge_method"]);
            var code = Guid.NewGuid().ToString("N");
            _codes[code] = (request.Query["nonce"]!, _next);
            // What a browser gets back after the person signed in: a form posting the code to the client.
            return Results.Content($"""
                <form method="post" action="{request.Query["redirect_uri"]}">
                <input type="hidden" name="code" value="{code}"/><input type="hidden" name="state" value="{request.Query["state"]}"/></form>
                """, "text/html");
        });
        _provider.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            Assert.Equal(ClientSecret, form["client_secret"]);
            Assert.False(string.IsNullOrEmpty(form["code_verifier"]));
            if (!_codes.TryRemove(form["code"]!, out var grant))
            {
                return Results.BadRequest(new { error = "invalid_grant" });
            }

            var (email, roles) = People[grant.Person];
            var now = DateTimeOffset.UtcNow;
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuer,
                Audience = ClientId,
                IssuedAt = now.UtcDateTime,
                NotBefore = now.UtcDateTime,
                Expires = now.AddMinutes(5).UtcDateTime,
                Claims = new Dictionary<string, object>
                {
                    ["sub"] = grant.Person, ["email"] = email, ["nonce"] = grant.Nonce, ["roles"] = roles,
                },
                SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new { access_token = Guid.NewGuid().ToString("N"), token_type = "Bearer", expires_in = 300, id_token = idToken });
        });
        await _provider.StartAsync();

        _apiUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        _api = WebApp.Build(
        [
            $"--urls={_apiUrl}",
            $"--CdsHooks:PublicBaseUrl={_apiUrl}",
            $"--ConnectionStrings:ClinicalCds={_database.ConnectionString}",
            $"--Auth:Oidc:Authority={issuer}",
            $"--Auth:Oidc:ClientId={ClientId}",
            $"--Auth:Oidc:ClientSecret={ClientSecret}",
            "--Auth:Oidc:DisplayName=Sign in with St Elsewhere",
            "--Auth:Oidc:RequireHttpsMetadata=false",
            "--Auth:Oidc:RoleMap:cds-care=care-manager",
            "--Auth:Oidc:RoleMap:cds-admin=admin",
            "--Logging:LogLevel:Default=Warning",
        ], api => api.Logging.AddProvider(_logs));
        await _api.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    private string Errors() => string.Join("\n", _logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal)).Take(3));

    /// <summary>A browser's round trip: the sign-in page's button, the provider, the form post back, the account page.</summary>
    private async Task<(HttpClient Browser, HttpResponseMessage Landing)> SignInAsync(string person)
    {
        _next = person;
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _apiUrl };
        var page = await browser.GetStringAsync("/account/login");
        Assert.Contains("Sign in with St Elsewhere", page, StringComparison.Ordinal);
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var challenge = await browser.PostAsync("/account/login?handler=Hospital", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
        }));
        Assert.True(challenge.StatusCode == HttpStatusCode.Redirect, Errors());
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(_provider!.Urls.First(), authorize.ToString(), StringComparison.Ordinal);

        var form = await browser.GetStringAsync(authorize);
        var fields = HiddenField().Matches(form).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        using var callback = await browser.PostAsync(FormAction().Match(form).Groups[1].Value, new FormUrlEncodedContent(fields));
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, Errors());
        var landing = await browser.GetAsync(callback.Headers.Location);
        return (browser, landing);
    }

    [Fact]
    public async Task A_care_manager_of_the_hospital_provider_signs_in_gets_an_account_with_the_mapped_role_and_nothing_more()
    {
        var (browser, landing) = await SignInAsync("p-care");
        using (browser)
        using (landing)
        {
            Assert.Equal(HttpStatusCode.Redirect, landing.StatusCode);
            Assert.Equal("/worklist", landing.Headers.Location!.OriginalString);
            using var worklist = await browser.GetAsync("/api/worklist");
            Assert.Equal(HttpStatusCode.OK, worklist.StatusCode);
            using var jobs = await browser.GetAsync("/jobs");
            Assert.Equal(HttpStatusCode.Redirect, jobs.StatusCode);
            Assert.Contains("/account/denied", jobs.Headers.Location!.OriginalString, StringComparison.Ordinal);

            var page = await browser.GetStringAsync("/worklist");
            Assert.Contains("nurse.navigator@hospital.test", page, StringComparison.Ordinal);
        }

        Assert.Equal(1, await _database.ScalarAsync(
            """SELECT count(*) FROM "AspNetUserLogins" l JOIN "AspNetUsers" u ON u.id = l.user_id WHERE l.login_provider = 'oidc' AND l.provider_key = 'p-care' AND u.email = 'nurse.navigator@hospital.test' """));

        // A second sign-in reuses the account.
        var (again, _) = await SignInAsync("p-care");
        again.Dispose();
        Assert.Equal(1, await _database.ScalarAsync("""SELECT count(*) FROM "AspNetUsers" WHERE email = 'nurse.navigator@hospital.test' """));
    }

    [Fact]
    public async Task An_administrator_reaches_the_jobs_dashboard_and_a_person_without_a_mapped_role_is_refused()
    {
        var (admin, _) = await SignInAsync("p-admin");
        using (admin)
        {
            using var jobs = await admin.GetAsync("/jobs");
            Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        }

        var (visitor, landing) = await SignInAsync("p-none");
        using (visitor)
        using (landing)
        {
            Assert.Equal(HttpStatusCode.Redirect, landing.StatusCode);
            Assert.Contains("/account/denied", landing.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
            using var worklist = await visitor.GetAsync("/api/worklist");
            Assert.Equal(HttpStatusCode.Unauthorized, worklist.StatusCode);
        }

        Assert.Equal(0, await _database.ScalarAsync("""SELECT count(*) FROM "AspNetUsers" WHERE email = 'visitor@hospital.test' """));
    }
}
