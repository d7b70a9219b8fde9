using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
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
/// Sign-in through a hospital identity provider (OpenID Connect, code flow with PKCE) at the protocol level, against a
/// provider of the test's own on a loopback port that can misbehave on purpose — an unsigned ID token, a wrong audience,
/// roles only in UserInfo or nested — which a certified provider will not do. The browser test
/// (<c>HospitalSignInBrowserTests</c>) drives a real, certified provider with Chromium.
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
    private string _issuer = null!;

    /// <summary>Who the provider knows, with the roles it asserts (changed by a test to withdraw them).</summary>
    private readonly Dictionary<string, (string Email, string[] Roles)> _people = new()
    {
        ["p-care"] = ("nurse.navigator@hospital.test", ["cds-care", "staff"]),
        ["p-admin"] = ("data.lead@hospital.test", ["urn:hospital:cds-admin"]),
        ["p-none"] = ("visitor@hospital.test", ["staff"]),
        ["p-mallory"] = ("break.glass@hospital.test", ["cds-care"]),
        ["p-anonymous"] = ("", ["cds-care"]),
    };

    private string _next = "p-care";

    /// <summary>How the next ID token is made: signed RS256, unsigned (alg none), or for another audience.</summary>
    private string _token = "signed";

    /// <summary>Where the roles are: flat in the ID token, nested (realm_access.roles), or only in UserInfo.</summary>
    private string _roles = "flat";

    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)""")]
    private static partial Regex AntiforgeryField();

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var builder = WebApplication.CreateSlimBuilder();
        _issuer = $"http://127.0.0.1:{Ports.Free()}";
        builder.WebHost.UseKestrel().UseUrls(_issuer);
        _provider = builder.Build();
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(_key);
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = _issuer,
            ["authorization_endpoint"] = $"{_issuer}/authorize",
            ["token_endpoint"] = $"{_issuer}/token",
            ["userinfo_endpoint"] = $"{_issuer}/userinfo",
            ["jwks_uri"] = $"{_issuer}/jwks",
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
            // The code comes back in the query (the code flow's default mode), not in a cross-site form post.
            Assert.True(string.IsNullOrEmpty(request.Query["response_mode"]) || request.Query["response_mode"] == "query", request.Query["response_mode"]);
            var code = Guid.NewGuid().ToString("N");
            _codes[code] = (request.Query["nonce"]!, _next);
            // What a browser gets after the person signed in: a redirect back to the client with the code.
            return Results.Redirect($"{request.Query["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(request.Query["state"]!)}");
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

            var (email, roles) = _people[grant.Person];
            var now = DateTimeOffset.UtcNow;
            var claims = new Dictionary<string, object> { ["sub"] = grant.Person, ["nonce"] = grant.Nonce };
            if (email.Length > 0)
            {
                claims["email"] = email;
                claims["email_verified"] = false;
            }

            if (_roles == "flat")
            {
                claims["roles"] = roles;
            }
            else if (_roles == "nested")
            {
                claims["realm_access"] = new Dictionary<string, object> { ["roles"] = roles };
            }

            var descriptor = new SecurityTokenDescriptor
            {
                Issuer = _issuer,
                Audience = _token == "wrong-audience" ? "another-client" : ClientId,
                IssuedAt = now.UtcDateTime,
                NotBefore = now.UtcDateTime,
                Expires = now.AddMinutes(5).UtcDateTime,
                Claims = claims,
                SigningCredentials = _token == "none" ? null : new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            };
            var idToken = _token == "none" ? Unsigned(descriptor) : new JsonWebTokenHandler().CreateToken(descriptor);
            return Results.Json(new { access_token = $"at-{grant.Person}", token_type = "Bearer", expires_in = 300, id_token = idToken });
        });
        _provider.MapGet("/userinfo", (HttpRequest request) =>
        {
            var person = request.Headers.Authorization.ToString()["Bearer at-".Length..];
            var (email, roles) = _people[person];
            return Results.Json(new Dictionary<string, object> { ["sub"] = person, ["email"] = email, ["roles"] = roles });
        });
        await _provider.StartAsync();
    }

    /// <summary>An ID token with <c>alg: none</c> and no signature, as a forger would send it.</summary>
    private static string Unsigned(SecurityTokenDescriptor descriptor)
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));
        var payload = new Dictionary<string, object>(descriptor.Claims)
        {
            ["iss"] = descriptor.Issuer, ["aud"] = descriptor.Audience,
            ["iat"] = EpochTime.GetIntDate(descriptor.IssuedAt!.Value), ["exp"] = EpochTime.GetIntDate(descriptor.Expires!.Value),
        };
        return $"{Part(new { alg = "none", typ = "JWT" })}.{Part(payload)}.";
    }

    private async Task StartApiAsync(params string[] settings)
    {
        var server = await TestServer.StartAsync(_database.ConnectionString,
        [
            $"--Auth:Oidc:Authority={_issuer}",
            $"--Auth:Oidc:ClientId={ClientId}",
            $"--Auth:Oidc:ClientSecret={ClientSecret}",
            "--Auth:Oidc:DisplayName=Sign in with St Elsewhere",
            "--Auth:Oidc:RoleMap:cds-care=care-manager",
            // A provider value that cannot be a configuration key (it holds ':'), mapped through the list form.
            "--Auth:Oidc:Roles:0:Value=urn:hospital:cds-admin",
            "--Auth:Oidc:Roles:0:Role=admin",
            "--Auth:SeedUsers:0:Email=break.glass@hospital.test",
            "--Auth:SeedUsers:0:Password=correct horse battery staple",
            "--Auth:SeedUsers:0:Role=admin",
            .. settings,
        ], api => api.Logging.AddProvider(_logs), at: TestServer.FreeAddress("localhost"));
        (_api, _apiUrl) = (server.App, server.BaseUrl);
    }

    private Task StartApiOverHttpAsync(params string[] settings) => StartApiAsync(["--Auth:Oidc:RequireHttpsMetadata=false", .. settings]);

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

    /// <summary>A browser's round trip: the sign-in page's button, the provider, the redirect back, the page that ends it.</summary>
    private async Task<(HttpClient Browser, HttpResponseMessage Landing)> SignInAsync(string person)
    {
        _next = person;
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _apiUrl };
        var page = await browser.GetStringAsync("/account/login");
        Assert.Contains("Sign in with St Elsewhere", page, StringComparison.Ordinal);
        using var challenge = await browser.PostAsync("/account/login?handler=Hospital", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value,
        }));
        Assert.True(challenge.StatusCode == HttpStatusCode.Redirect, Errors());
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(_issuer, authorize.ToString(), StringComparison.Ordinal);

        using var back = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        using var callback = await browser.GetAsync(back.Headers.Location);
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, Errors());
        var landing = await browser.GetAsync(callback.Headers.Location);
        return (browser, landing);
    }

    [Fact]
    public async Task A_replayed_callback_is_refused_with_a_page_and_a_reference()
    {
        await StartApiOverHttpAsync();
        _next = "p-care";
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _apiUrl };
        var page = await browser.GetStringAsync("/account/login");
        using var challenge = await browser.PostAsync("/account/login?handler=Hospital", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value,
        }));
        using var back = await browser.GetAsync(challenge.Headers.Location);
        using (var first = await browser.GetAsync(back.Headers.Location))
        {
            Assert.Contains("/account/external", first.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.DoesNotContain("failed=", first.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        // The same callback again (its correlation cookie spent): an error page with a reference, never a 500.
        using var replayed = await browser.GetAsync(back.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.Matches("^/account/external\\?failed=[0-9a-f]{8}$", replayed.Headers.Location!.OriginalString);
        var reference = replayed.Headers.Location!.OriginalString[^8..];
        Assert.Contains(_logs.Lines, l => l.Contains($"Hospital sign-in refused (reference {reference})", StringComparison.Ordinal));
        using var shown = await browser.GetAsync(replayed.Headers.Location);
        Assert.Contains($"give the help desk this reference: {reference}", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The signed-in page sends the browser on by a navigation of its own (a Strict cookie is withheld on the provider's redirect chain).</summary>
    private static async Task AssertContinuesToAsync(HttpResponseMessage landing, string next)
    {
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        Assert.Contains($"""<meta http-equiv="refresh" content="0; url={next}" />""", await landing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task<long> LoginsAsync(string person) => _database.ScalarAsync(
        """SELECT count(*) FROM "AspNetUserLogins" WHERE login_provider = @issuer AND provider_key = @person""", ("issuer", _issuer), ("person", person));

    private Task<long> RolesAsync(string email, string role) => _database.ScalarAsync(
        """SELECT count(*) FROM "AspNetUserRoles" ur JOIN "AspNetUsers" u ON u.id = ur.user_id JOIN "AspNetRoles" r ON r.id = ur.role_id WHERE u.email = @email AND r.name = @role""",
        ("email", email), ("role", role));

    [Fact]
    public async Task A_care_manager_of_the_hospital_provider_signs_in_gets_an_account_keyed_by_issuer_and_subject_with_the_mapped_role()
    {
        await StartApiOverHttpAsync();
        var (browser, landing) = await SignInAsync("p-care");
        using (browser)
        using (landing)
        {
            await AssertContinuesToAsync(landing, "/worklist");
            using var worklist = await browser.GetAsync("/api/worklist");
            Assert.Equal(HttpStatusCode.OK, worklist.StatusCode);
            using var jobs = await browser.GetAsync("/jobs");
            Assert.Equal(HttpStatusCode.Redirect, jobs.StatusCode);
            Assert.Contains("/account/denied", jobs.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.Contains("nurse.navigator@hospital.test", await browser.GetStringAsync("/worklist"), StringComparison.Ordinal);

            // The pages' CSP lets the sign-in form go on to the provider, and nowhere else.
            using var login = await new HttpClient { BaseAddress = _apiUrl }.GetAsync("/account/login");
            Assert.Contains($"form-action 'self' {_issuer};", login.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        Assert.Equal(1, await LoginsAsync("p-care"));

        // A second sign-in reuses the account.
        var (again, _) = await SignInAsync("p-care");
        again.Dispose();
        Assert.Equal(1, await _database.ScalarAsync("""SELECT count(*) FROM "AspNetUsers" WHERE email = 'nurse.navigator@hospital.test' """));
    }

    [Fact]
    public async Task A_role_value_with_colons_maps_to_admin_and_a_person_without_a_mapped_role_is_refused()
    {
        await StartApiOverHttpAsync();
        var (admin, landing) = await SignInAsync("p-admin");
        using (admin)
        using (landing)
        {
            await AssertContinuesToAsync(landing, "/worklist");
            using var jobs = await admin.GetAsync("/jobs");
            Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        }

        var (visitor, refused) = await SignInAsync("p-none");
        using (visitor)
        using (refused)
        {
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.Contains("/account/denied", refused.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
            using var worklist = await visitor.GetAsync("/api/worklist");
            Assert.Equal(HttpStatusCode.Unauthorized, worklist.StatusCode);
        }

        Assert.Equal(0, await _database.ScalarAsync("""SELECT count(*) FROM "AspNetUsers" WHERE email = 'visitor@hospital.test' """));
    }

    [Fact]
    public async Task A_provider_account_with_a_local_accounts_email_is_never_linked_to_it_until_an_administrator_links_it()
    {
        await StartApiOverHttpAsync();
        // The provider asserts the (unverified) email of the local break-glass administrator.
        var (mallory, landing) = await SignInAsync("p-mallory");
        using (mallory)
        using (landing)
        {
            Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
            var page = await landing.Content.ReadAsStringAsync();
            Assert.Contains("already exists here and is not linked to your hospital sign-in", page, StringComparison.Ordinal);
            using var worklist = await mallory.GetAsync("/api/worklist");
            Assert.Equal(HttpStatusCode.Unauthorized, worklist.StatusCode);
        }

        Assert.Equal(0, await LoginsAsync("p-mallory"));
        Assert.Equal(1, await RolesAsync("break.glass@hospital.test", "admin"));

        // The administrator's explicit action links the account; then the provider's roles are its roles.
        var (exit, output) = await CliProcess.RunAsync(
            new Dictionary<string, string> { ["ConnectionStrings__ClinicalCds"] = _database.ConnectionString },
            "users", "link", "--email", "break.glass@hospital.test", "--issuer", _issuer, "--subject", "p-mallory");
        Assert.True(exit == 0, output);
        var (linked, after) = await SignInAsync("p-mallory");
        using (linked)
        using (after)
        {
            await AssertContinuesToAsync(after, "/worklist");
        }

        Assert.Equal(1, await LoginsAsync("p-mallory"));
        Assert.Equal(0, await RolesAsync("break.glass@hospital.test", "admin"));
        Assert.Equal(1, await RolesAsync("break.glass@hospital.test", "care-manager"));
    }

    [Fact]
    public async Task A_person_whose_provider_releases_no_email_is_told_why_and_gets_no_account()
    {
        await StartApiOverHttpAsync();
        var (browser, landing) = await SignInAsync("p-anonymous");
        using (browser)
        using (landing)
        {
            Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
            Assert.Contains("did not release your email address", await landing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await LoginsAsync("p-anonymous"));
    }

    [Fact]
    public async Task Withdrawing_every_mapped_role_at_the_provider_removes_the_roles_here_and_ends_the_persons_sessions()
    {
        await StartApiOverHttpAsync();
        var (first, landing) = await SignInAsync("p-care");
        landing.Dispose();
        using (first)
        {
            using (var before = await first.GetAsync("/api/worklist"))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            _people["p-care"] = (_people["p-care"].Email, ["staff"]);
            var (second, refused) = await SignInAsync("p-care");
            using (second)
            using (refused)
            {
                Assert.Contains("/account/denied", refused.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
            }

            Assert.Equal(0, await RolesAsync("nurse.navigator@hospital.test", "care-manager"));
            using var stale = await first.GetAsync("/api/worklist");
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("wrong-audience")]
    public async Task An_ID_token_that_is_unsigned_or_for_another_client_is_refused_with_a_page_and_a_reference_in_the_log(string token)
    {
        await StartApiOverHttpAsync();
        _token = token;
        var (browser, landing) = await SignInAsync("p-admin");
        using (browser)
        using (landing)
        {
            // The callback sent the browser to the error page (followed here by SignInAsync): HTML, not a 500 or JSON.
            Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
            Assert.StartsWith("text/html", landing.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
            var page = await landing.Content.ReadAsStringAsync();
            var reference = Regex.Match(page, "give the help desk this reference: ([0-9a-f]{8})").Groups[1].Value;
            Assert.NotEmpty(reference);
            Assert.Contains(_logs.Lines, l => l.Contains($"Hospital sign-in refused (reference {reference})", StringComparison.Ordinal));
            using var jobs = await browser.GetAsync("/jobs");
            Assert.NotEqual(HttpStatusCode.OK, jobs.StatusCode);
        }

        Assert.Equal(0, await _database.ScalarAsync("""SELECT count(*) FROM "AspNetUsers" WHERE email = 'data.lead@hospital.test' """));
    }

    [Theory]
    [InlineData("nested", "--Auth:Oidc:RoleClaim=realm_access.roles")]
    [InlineData("userinfo", "--Auth:Oidc:UseUserInfo=true")]
    public async Task Roles_are_read_where_providers_put_them(string where, string setting)
    {
        await StartApiOverHttpAsync(setting, "--Auth:Oidc:Scopes=openid email roles");
        _roles = where;
        var (browser, landing) = await SignInAsync("p-admin");
        using (browser)
        using (landing)
        {
            await AssertContinuesToAsync(landing, "/worklist");
            using var jobs = await browser.GetAsync("/jobs");
            Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        }
    }

    [Fact]
    public async Task A_misconfigured_provider_affects_sign_in_only_and_readiness_says_what_is_wrong()
    {
        // A plain-http provider without the development switch: refused, and only sign-in through it with it.
        await StartApiAsync();
        using var client = new HttpClient { BaseAddress = _apiUrl };
        using (var metadata = await client.GetAsync("/fhir/metadata"))
        {
            Assert.NotEqual(HttpStatusCode.InternalServerError, metadata.StatusCode);
        }

        using (var discovery = await client.GetAsync("/cds-services"))
        {
            Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        }

        var login = await client.GetStringAsync("/account/login");
        Assert.DoesNotContain("Sign in with St Elsewhere", login, StringComparison.Ordinal);
        using var readiness = await client.GetAsync("/health/ready");
        var ready = await readiness.Content.ReadAsStringAsync();
        Assert.Contains("Hospital sign-in is off", ready, StringComparison.Ordinal);
        Assert.Contains("plain http", ready, StringComparison.Ordinal);
        Assert.Contains(_logs.Lines, l => l.Contains("Hospital sign-in is off", StringComparison.Ordinal));

        // Local sign-in works beside it.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _apiUrl };
        var form = await browser.GetStringAsync("/account/login");
        using var signedIn = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "break.glass@hospital.test", ["Password"] = "correct horse battery staple",
            ["__RequestVerificationToken"] = AntiforgeryField().Match(form).Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/worklist", signedIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_provider_that_is_down_degrades_readiness_and_nothing_else()
    {
        await StartApiOverHttpAsync();
        await _provider!.StopAsync();
        using var client = new HttpClient { BaseAddress = _apiUrl };
        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("cannot be reached", body.ToString(), StringComparison.Ordinal);
        using var discovery = await client.GetAsync("/cds-services");
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        Assert.Contains("Sign in with St Elsewhere", await client.GetStringAsync("/account/login"), StringComparison.Ordinal);
    }
}
