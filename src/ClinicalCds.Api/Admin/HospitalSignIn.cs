using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ClinicalCds.Api.Admin;

/// <summary>
/// Optional sign-in through the hospital's OpenID Connect identity provider (section Auth:Oidc): authorization code
/// flow with PKCE. The provider's role values — from the ID token, or from UserInfo when configured, at a claim path
/// that may be nested (<c>realm_access.roles</c>) — are mapped to our roles; a person without a mapped role is not let
/// in. An account is the provider's issuer and subject, never an email (issue 36 item 2), and each sign-in brings its
/// roles up to date: withdrawn at the provider, withdrawn here, with the person's sessions ended.
/// </summary>
public sealed class HospitalSignInOptions
{
    public const string Section = "Auth:Oidc";
    public const string Scheme = "oidc";

    /// <summary>The claim on the signed-in principal that carries each of the provider's role values (whatever their path).</summary>
    public const string ProviderRoleClaim = "clinicalcds:provider-role";

    /// <summary>The claim on the signed-in principal that carries the ID token's issuer: with the subject, the account's key.</summary>
    public const string IssuerClaim = "clinicalcds:issuer";

    /// <summary>The provider's issuer URL (its discovery document is read from there); empty switches OIDC sign-in off.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The button's words on the sign-in page.</summary>
    public string DisplayName { get; set; } = "Hospital sign-in";

    /// <summary>The scopes asked for (space-separated); openid is always among them.</summary>
    public string Scopes { get; set; } = "openid profile email";

    /// <summary>
    /// Where the person's roles or groups are: a claim name, or a path into nested JSON with dots
    /// (<c>realm_access.roles</c>). A value may be a string or an array of strings.
    /// </summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Also read the claims from the UserInfo endpoint (where providers following the specification's default put them).</summary>
    public bool UseUserInfo { get; set; }

    /// <summary>Provider role value → our role (admin or care-manager), for values that are configuration keys.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Provider role values that cannot be configuration keys (they contain ':', like <c>urn:hospital:cds-admin</c>): a list of Value and Role.</summary>
    public List<RoleMapping> Roles { get; set; } = [];

    /// <summary>The algorithms an ID token may be signed with, whichever endpoint it comes from: asymmetric ones only, never "none".</summary>
    public string[] SigningAlgorithms { get; set; } = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>Only for a provider on plain HTTP in development and tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    private Dictionary<string, string>? _map;

    public sealed class RoleMapping
    {
        public string Value { get; set; } = string.Empty;

        public string Role { get; set; } = string.Empty;
    }

    /// <summary>Configured (an authority is set).</summary>
    public bool Configured => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>Why the configuration cannot work (sign-in is then off, and readiness says so); null when it can.</summary>
    public string? Problem => !Configured ? null
        : !Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http")
            ? $"{Section}:Authority is not an http(s) URL."
        : authority.Scheme == "http" && RequireHttpsMetadata
            ? $"{Section}:Authority is plain http; a provider must be reached over https (set {Section}:RequireHttpsMetadata=false only for development)."
        : string.IsNullOrWhiteSpace(ClientId) ? $"{Section}:ClientId is not set."
        : Map.Count == 0 ? $"{Section}:RoleMap (or {Section}:Roles) maps no provider value to a role, so nobody could sign in."
        : Map.Values.FirstOrDefault(r => !AdminAuthentication.Roles.Contains(r)) is { } unknown ? $"{Section} maps to an unknown role '{unknown}' (known: {string.Join(", ", AdminAuthentication.Roles)})."
        : SigningAlgorithms.Any(a => a.Equals("none", StringComparison.OrdinalIgnoreCase) || a.StartsWith("HS", StringComparison.OrdinalIgnoreCase))
            ? $"{Section}:SigningAlgorithms may list asymmetric algorithms only."
        : null;

    /// <summary>Sign-in through the provider is offered (configured, and the configuration can work).</summary>
    public bool Enabled => Configured && Problem is null;

    /// <summary>The provider's origin, which the sign-in form is sent on to (the pages' CSP form-action allows it).</summary>
    public string? ProviderOrigin => Enabled ? new Uri(Authority!).GetLeftPart(UriPartial.Authority) : null;

    /// <summary>Both forms of the role map as one, built once (on first use, after the configuration is bound).</summary>
    private Dictionary<string, string> Map => _map ??= RoleMap
        .Concat(Roles.Where(r => r.Value.Length > 0).Select(r => KeyValuePair.Create(r.Value, r.Role)))
        .GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    /// <summary>Our roles for the provider's role values: the mapped ones, nothing else.</summary>
    public IReadOnlyList<string> RolesOf(ClaimsPrincipal principal) => principal.FindAll(ProviderRoleClaim)
        .Select(c => Map.GetValueOrDefault(c.Value)).OfType<string>()
        .Where(role => AdminAuthentication.Roles.Contains(role)).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The string values at <paramref name="path"/> (dot-separated) in a JSON object: a string, or an array's strings.</summary>
    public static IEnumerable<string> ValuesAt(JsonElement json, string path)
    {
        var at = json;
        foreach (var segment in path.Split('.'))
        {
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(segment, out at))
            {
                return [];
            }
        }

        return at.ValueKind switch
        {
            JsonValueKind.String => [at.GetString()!],
            JsonValueKind.Array => [.. at.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
            _ => [],
        };
    }

    public static HospitalSignInOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<HospitalSignInOptions>() ?? new HospitalSignInOptions();

    public void AddTo(IServiceCollection services, bool secureCookies)
    {
        services.AddSingleton(this);
        if (!Enabled)
        {
            return;
        }

        services.AddAuthentication().AddOpenIdConnect(Scheme, DisplayName, oidc =>
        {
            oidc.Authority = Authority;
            oidc.ClientId = ClientId;
            oidc.ClientSecret = ClientSecret;
            oidc.ResponseType = OpenIdConnectResponseType.Code;
            // The code comes back in a top-level GET: the correlation and nonce cookies can then be SameSite=Lax, which a
            // browser sends on that cross-site navigation over http and https alike (SameSite=None needs Secure).
            oidc.ResponseMode = OpenIdConnectResponseMode.Query;
            oidc.UsePkce = true;
            oidc.Scope.Clear();
            foreach (var scope in Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Prepend("openid").Distinct(StringComparer.Ordinal))
            {
                oidc.Scope.Add(scope);
            }

            oidc.SignInScheme = IdentityConstants.ExternalScheme;
            oidc.CallbackPath = "/account/oidc/callback";
            oidc.RequireHttpsMetadata = RequireHttpsMetadata;
            oidc.MapInboundClaims = false;
            oidc.GetClaimsFromUserInfoEndpoint = UseUserInfo;
            // The ID token is kept with the external sign-in, to name the session when signing out at the provider.
            oidc.SaveTokens = true;
            oidc.TokenValidationParameters.ValidAlgorithms = SigningAlgorithms;
            oidc.TokenValidationParameters.RequireSignedTokens = true;
            var policy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            oidc.CorrelationCookie.SecurePolicy = policy;
            oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
            oidc.NonceCookie.SecurePolicy = policy;
            oidc.NonceCookie.SameSite = SameSiteMode.Lax;
            oidc.Events = new OpenIdConnectEvents
            {
                OnTokenResponseReceived = RequireSignedIdTokenAsync,
                OnTokenValidated = context =>
                {
                    if ((context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken) is { Length: > 0 } raw
                        && context.Principal?.Identity is ClaimsIdentity identity)
                    {
                        var token = new JsonWebToken(raw);
                        identity.AddClaim(new Claim(IssuerClaim, token.Issuer));
                        using var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.EncodedPayload));
                        AddRoleValues(identity, payload.RootElement);
                    }

                    return Task.CompletedTask;
                },
                OnUserInformationReceived = context =>
                {
                    if (context.Principal?.Identity is ClaimsIdentity identity)
                    {
                        AddRoleValues(identity, context.User.RootElement);
                    }

                    return Task.CompletedTask;
                },
                OnRemoteFailure = context => HospitalSignInFailure.ShowAsync(context.HttpContext, context.Failure?.Message, context.HandleResponse),
                OnAccessDenied = context => HospitalSignInFailure.ShowAsync(context.HttpContext, "The person or the provider declined the sign-in.", context.HandleResponse),
            };
        });
    }

    private void AddRoleValues(ClaimsIdentity identity, JsonElement claims)
    {
        foreach (var value in ValuesAt(claims, RoleClaim).Where(v => !identity.HasClaim(ProviderRoleClaim, v)))
        {
            identity.AddClaim(new Claim(ProviderRoleClaim, value));
        }
    }

    /// <summary>
    /// The ID token of the token endpoint, checked as one from the authorization endpoint is (issue 36 item 3): the
    /// framework trusts TLS there and does not require a signature, so an unsigned (<c>alg: none</c>) token would pass.
    /// </summary>
    private async Task RequireSignedIdTokenAsync(TokenResponseReceivedContext context)
    {
        if (context.TokenEndpointResponse.IdToken is not { Length: > 0 } idToken)
        {
            context.Fail("The provider's token response holds no ID token.");
            return;
        }

        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var parameters = context.Options.TokenValidationParameters.Clone();
        parameters.ValidIssuer = configuration.Issuer;
        parameters.ValidAudience = context.Options.ClientId;
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        parameters.RequireSignedTokens = true;
        parameters.ValidAlgorithms = SigningAlgorithms;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, parameters);
        if (!result.IsValid)
        {
            context.Fail($"The provider's ID token was refused: {result.Exception?.Message}");
        }
    }
}

/// <summary>A sign-in the provider or our checks refused: a page the help desk can act on, with a reference to find in the log.</summary>
public static class HospitalSignInFailure
{
    public static Task ShowAsync(HttpContext http, string? reason, Action handled)
    {
        var reference = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        // The reason is the framework's or ours: IdentityModel hides token contents from its messages (PII off).
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ClinicalCds.HospitalSignIn")
            .LogWarning("Hospital sign-in refused (reference {Reference}): {Reason}", reference, reason ?? "no reason given");
        http.Response.Redirect($"/account/external?failed={reference}");
        handled();
        return Task.CompletedTask;
    }

    /// <summary>A reference as <see cref="ShowAsync"/> makes them (8 hex digits); anything else is not shown back.</summary>
    public static bool IsReference(string? text) => text is { Length: 8 } && text.All(char.IsAsciiHexDigitLower);
}

/// <summary>What became of a person the provider signed in.</summary>
public enum HospitalSignInOutcome
{
    SignedIn,
    NoRole,
    Refused,
}

/// <summary>
/// The account of a person the provider signed in: found by the provider's issuer and subject only. Never by email: an
/// email a provider asserts (verified or not) is no proof of being the local account that has it (issue 36 item 2);
/// an administrator links an existing account explicitly (<c>clinicalcds users link</c>).
/// </summary>
public static class HospitalAccounts
{
    public static async Task<(HospitalSignInOutcome Outcome, IdentityUser? User, string? Error)> SignInAsync(
        UserManager<IdentityUser> users, RoleManager<IdentityRole> roleStore, ClaimsPrincipal person, IReadOnlyList<string> roles, string displayName)
    {
        var issuer = person.FindFirstValue(HospitalSignInOptions.IssuerClaim);
        var subject = person.FindFirstValue("sub") ?? person.FindFirstValue(ClaimTypes.NameIdentifier);
        if (string.IsNullOrEmpty(issuer) || string.IsNullOrEmpty(subject))
        {
            return (HospitalSignInOutcome.Refused, null, "The identity provider did not say who you are (no issuer or subject).");
        }

        var user = await users.FindByLoginAsync(issuer, subject);
        if (roles.Count == 0)
        {
            // Every mapped role withdrawn at the provider: withdrawn here, and the person's sessions end now.
            if (user is not null)
            {
                await users.RemoveFromRolesAsync(user, (await users.GetRolesAsync(user)).Intersect(AdminAuthentication.Roles));
                await users.UpdateSecurityStampAsync(user);
            }

            return (HospitalSignInOutcome.NoRole, null, null);
        }

        if (user is null)
        {
            // The account is named by the email the provider releases (scope "email"): accounts here need one.
            if (person.FindFirstValue("email") is not { Length: > 0 } email)
            {
                return (HospitalSignInOutcome.Refused, null, "The identity provider did not release your email address (scope \"email\"), which names your account here. Ask its administrator.");
            }

            var name = email;
            if (await users.FindByEmailAsync(email) is not null || await users.FindByNameAsync(name) is not null)
            {
                return (HospitalSignInOutcome.Refused, null,
                    $"An account named {name} already exists here and is not linked to your hospital sign-in. An administrator can link it: "
                    + $"clinicalcds users link --email {name} --issuer {issuer} --subject {subject}");
            }

            user = new IdentityUser { UserName = name, Email = email };
            if (await users.CreateAsync(user) is { Succeeded: false } created)
            {
                return (HospitalSignInOutcome.Refused, null, string.Join(" ", created.Errors.Select(e => e.Description)));
            }

            await users.AddLoginAsync(user, new UserLoginInfo(issuer, subject, displayName));
        }

        foreach (var role in roles.Where(r => !roleStore.Roles.Any(x => x.Name == r)).ToList())
        {
            await roleStore.CreateAsync(new IdentityRole(role));
        }

        // The provider decides the roles: granted ones added, withdrawn ones removed (and then the other sessions end).
        var current = await users.GetRolesAsync(user);
        var withdrawn = current.Intersect(AdminAuthentication.Roles).Except(roles).ToList();
        await users.AddToRolesAsync(user, roles.Except(current));
        if (withdrawn.Count > 0)
        {
            await users.RemoveFromRolesAsync(user, withdrawn);
            await users.UpdateSecurityStampAsync(user);
        }

        return (HospitalSignInOutcome.SignedIn, user, null);
    }

    /// <summary>Links an existing account to a provider's issuer and subject (the administrator's explicit action); an error when it cannot.</summary>
    public static async Task<string?> LinkAsync(UserManager<IdentityUser> users, string email, string issuer, string subject)
    {
        if (await users.FindByEmailAsync(email) is not { } user)
        {
            return $"There is no account {email}.";
        }

        if (await users.FindByLoginAsync(issuer, subject) is { } linked)
        {
            return linked.Id == user.Id ? null : $"That hospital sign-in is already linked to another account ({linked.Email}).";
        }

        var added = await users.AddLoginAsync(user, new UserLoginInfo(issuer, subject, "hospital sign-in"));
        return added.Succeeded ? null : string.Join(" ", added.Errors.Select(e => e.Description));
    }
}

/// <summary>
/// Readiness names what is wrong with hospital sign-in (issue 36 item 5) — a configuration that cannot work, or a
/// provider that does not answer — as Degraded: it affects sign-in through the provider only; FHIR, CDS Hooks, health
/// and local sign-in keep working.
/// </summary>
public sealed class HospitalSignInHealthCheck(HospitalSignInOptions hospital, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!hospital.Configured)
        {
            return HealthCheckResult.Healthy("Hospital sign-in is not configured: local accounts only.");
        }

        if (hospital.Problem is { } problem)
        {
            return HealthCheckResult.Degraded($"Hospital sign-in is off: {problem}");
        }

        var oidc = services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(HospitalSignInOptions.Scheme);
        try
        {
            var configuration = await oidc.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            return configuration.SigningKeys.Count == 0
                ? HealthCheckResult.Degraded("The identity provider publishes no signing key: hospital sign-in cannot succeed.")
                : HealthCheckResult.Healthy($"The identity provider answers ({hospital.ProviderOrigin}).");
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Degraded(
                $"The identity provider ({hospital.ProviderOrigin}) cannot be reached ({e.GetType().Name}): hospital sign-in fails until it can; local sign-in works.");
        }
    }
}
