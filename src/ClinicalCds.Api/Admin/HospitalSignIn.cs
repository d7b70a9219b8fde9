using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ClinicalCds.Api.Admin;

/// <summary>
/// Optional sign-in through the hospital's OpenID Connect identity provider (section Auth:Oidc): authorization code
/// flow with PKCE. The provider's role claim values are mapped to our roles (RoleMap); a person without a mapped role
/// is not let in. On first sign-in the person gets an Identity account linked to the provider's subject, and each
/// sign-in brings the roles up to date, so audit, roles and the admin's view of users work as for local accounts.
/// </summary>
public sealed class HospitalSignInOptions
{
    public const string Section = "Auth:Oidc";
    public const string Scheme = "oidc";

    /// <summary>The provider's issuer URL (its discovery document is read from there); empty switches OIDC sign-in off.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The button's words on the sign-in page.</summary>
    public string DisplayName { get; set; } = "Hospital sign-in";

    /// <summary>The claim in the ID token that carries the person's groups or roles.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Provider role value → our role (admin or care-manager).</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Only for a provider on plain HTTP in development and tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>Our roles for the provider's claims: the mapped values of the role claim, nothing else.</summary>
    public IReadOnlyList<string> RolesOf(ClaimsPrincipal principal) => principal.FindAll(RoleClaim)
        .Select(c => RoleMap.GetValueOrDefault(c.Value)).OfType<string>()
        .Where(role => AdminAuthentication.Roles.Contains(role)).Distinct().Order(StringComparer.Ordinal).ToList();

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
            oidc.UsePkce = true;
            oidc.Scope.Clear();
            foreach (var scope in new[] { "openid", "profile", "email" })
            {
                oidc.Scope.Add(scope);
            }

            oidc.SignInScheme = IdentityConstants.ExternalScheme;
            oidc.CallbackPath = "/account/oidc/callback";
            oidc.RequireHttpsMetadata = RequireHttpsMetadata;
            oidc.MapInboundClaims = false;
            oidc.SaveTokens = false;
            var policy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            oidc.CorrelationCookie.SecurePolicy = policy;
            oidc.NonceCookie.SecurePolicy = policy;
        });
    }
}

/// <summary>The account of a person the provider signed in: found by their provider login, else by email, else created.</summary>
public static class HospitalAccounts
{
    public static async Task<(IdentityUser? User, string? Error)> LinkAsync(
        UserManager<IdentityUser> users, RoleManager<IdentityRole> roleStore, ExternalLoginInfo login, IReadOnlyList<string> roles)
    {
        foreach (var role in roles.Where(r => !roleStore.Roles.Any(x => x.Name == r)).ToList())
        {
            await roleStore.CreateAsync(new IdentityRole(role));
        }

        var email = login.Principal.FindFirstValue("email") ?? login.Principal.FindFirstValue("preferred_username");
        if (string.IsNullOrWhiteSpace(email))
        {
            return (null, "The identity provider did not say who you are (no email).");
        }

        var user = await users.FindByLoginAsync(login.LoginProvider, login.ProviderKey) ?? await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
            if (await users.CreateAsync(user) is { Succeeded: false } created)
            {
                return (null, string.Join(" ", created.Errors.Select(e => e.Description)));
            }
        }

        if ((await users.GetLoginsAsync(user)).All(l => l.LoginProvider != login.LoginProvider))
        {
            await users.AddLoginAsync(user, login);
        }

        // The provider decides the roles: granted ones added, withdrawn ones removed.
        var current = await users.GetRolesAsync(user);
        await users.AddToRolesAsync(user, roles.Except(current));
        await users.RemoveFromRolesAsync(user, current.Intersect(AdminAuthentication.Roles).Except(roles));
        return (user, null);
    }
}
