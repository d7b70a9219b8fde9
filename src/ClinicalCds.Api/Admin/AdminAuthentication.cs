using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using ClinicalCds.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ClinicalCds.Api.Admin;

/// <summary>
/// Who may do what. People sign in with ASP.NET Core Identity (users, roles and lockout in PostgreSQL; an HttpOnly,
/// SameSite=Strict cookie). Roles: care-manager (the worklist) and admin (also /jobs and the admin API). Automation
/// authenticates as an administrator with an admin API key (Admin:ApiKeys, 16+ characters) sent as a bearer token.
/// </summary>
public static class AdminAuthentication
{
    public const string Scheme = "AdminKey";
    public const string Policy = "admin";
    public const string CarePolicy = "care";
    public const string Role = "admin";
    public const string CareManagerRole = "care-manager";

    public static readonly IReadOnlyList<string> Roles = [Role, CareManagerRole];

    public static IServiceCollection AddAdminAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddIdentity<IdentityUser, IdentityRole>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                // Length over composition rules (NIST SP 800-63B §5.1.1.2): 12+ characters, any kind.
                identity.Password.RequiredLength = 12;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                // No account lockout: anyone could lock anyone out; failures slow the address instead (SignInThrottle).
                identity.Lockout.AllowedForNewUsers = false;
            })
            .AddEntityFrameworkStores<ClinicalCdsDbContext>()
            .AddDefaultTokenProviders();
        services.AddSingleton<SignInThrottle>();
        // A session ends on the server, not only in the browser (issue 33 item 5): every cookie is checked against the
        // user's security stamp on every request, and sign-out and a new password change the stamp, so a copied cookie
        // stops working at once — on every replica, since the stamp lives in PostgreSQL.
        services.Configure<SecurityStampValidatorOptions>(stamp => stamp.ValidationInterval = TimeSpan.Zero);
        // Cookies and antiforgery tokens must be readable by every API replica: the key ring lives in PostgreSQL.
        services.AddDataProtection().SetApplicationName("ClinicalCds").PersistKeysToDbContext<ClinicalCdsDbContext>();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "clinicalcds";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the request came over TLS (directly or via the proxy's forwarded headers); Auth:SecureCookies=true forces it.
            cookie.Cookie.SecurePolicy = configuration.GetValue("Auth:SecureCookies", false) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/account/login";
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = "/account/denied";
            // APIs answer 401/403; pages redirect to sign-in.
            cookie.Events.OnRedirectToLogin = context => Redirect(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => Redirect(context, StatusCodes.Status403Forbidden);
        });

        HospitalSignInOptions.From(configuration).AddTo(services, configuration.GetValue("Auth:SecureCookies", false));

        var keys = configuration.GetSection("Admin:ApiKeys").Get<string[]>() ?? [];
        services.AddAuthentication().AddScheme<AdminKeyOptions, AdminKeyHandler>(Scheme, o => o.KeyHashes =
            [.. keys.Where(k => k.Length >= 16).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k)))]);
        // The cookie scheme comes last, so a browser is sent to sign-in (its redirect is the answer that stands).
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme, IdentityConstants.ApplicationScheme).RequireRole(Role))
            .AddPolicy(CarePolicy, p => p.AddAuthenticationSchemes(Scheme, IdentityConstants.ApplicationScheme).RequireRole(CareManagerRole, Role));
        return services;
    }

    private static Task Redirect(RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int apiStatus)
    {
        // A page (the /admin pages among them) sends the browser to sign-in or to "No access"; an API answers the status.
        var path = context.Request.Path;
        var page = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor>() is not null;
        if (!page && (path.StartsWithSegments("/api") || path.StartsWithSegments("/admin") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/fhir")))
        {
            context.Response.StatusCode = apiStatus;
        }
        else
        {
            // A path, not the absolute URL the handler built from the request's Host header (issue 33 item 6).
            context.Response.Redirect(Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : context.RedirectUri);
        }

        return Task.CompletedTask;
    }

    /// <summary>Creates the roles, and the user with <paramref name="role"/> when missing; returns what went wrong, or null.</summary>
    public static async Task<string?> EnsureUserAsync(IServiceProvider services, string email, string password, string role)
    {
        if (!Roles.Contains(role))
        {
            return $"Unknown role '{role}' (known: {string.Join(", ", Roles)}).";
        }

        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var name in Roles)
        {
            if (!await roles.RoleExistsAsync(name))
            {
                await roles.CreateAsync(new IdentityRole(name));
            }
        }

        var users = services.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return string.Join(" ", created.Errors.Select(e => e.Description));
            }
        }

        if (!await users.IsInRoleAsync(user, role))
        {
            await users.AddToRoleAsync(user, role);
        }

        return null;
    }

    /// <summary>Whether an account with <paramref name="email"/> exists.</summary>
    public static async Task<bool> UserExistsAsync(IServiceProvider services, string email) =>
        await services.GetRequiredService<UserManager<IdentityUser>>().FindByEmailAsync(email) is not null;

    /// <summary>Sets a new password for an existing account; an error when there is no such account or the password is refused.</summary>
    public static async Task<string?> ResetPasswordAsync(IServiceProvider services, string email, string password)
    {
        var users = services.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByEmailAsync(email) is not { } user)
        {
            return $"There is no account {email}.";
        }

        // The new password is checked before the old one is removed, so a refused one leaves the account as it was.
        foreach (var validator in users.PasswordValidators)
        {
            var valid = await validator.ValidateAsync(users, user, password);
            if (!valid.Succeeded)
            {
                return string.Join(" ", valid.Errors.Select(e => e.Description));
            }
        }

        await users.RemovePasswordAsync(user);
        var added = await users.AddPasswordAsync(user, password);
        return added.Succeeded ? null : string.Join(" ", added.Errors.Select(e => e.Description));
    }

    public sealed class AdminKeyOptions : AuthenticationSchemeOptions
    {
        /// <summary>SHA-256 of each accepted key (keys shorter than 16 characters are ignored as too weak).</summary>
        public IReadOnlyList<byte[]> KeyHashes { get; set; } = [];
    }

    private sealed class AdminKeyHandler(IOptionsMonitor<AdminKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AdminKeyOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
            var known = false;
            foreach (var hash in Options.KeyHashes)
            {
                known |= CryptographicOperations.FixedTimeEquals(hash, presented);
            }

            if (!known)
            {
                return Task.FromResult(AuthenticateResult.Fail("Unknown admin key."));
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin-api-key"), new Claim(ClaimTypes.Role, Role)], AdminAuthentication.Scheme);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), AdminAuthentication.Scheme)));
        }
    }
}

/// <summary>Users from configuration (Auth:SeedUsers:N:Email/Password/Role), created at start when missing: the demo's accounts.</summary>
public sealed class SeedUsers(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<SeedUsers> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var seeds = configuration.GetSection("Auth:SeedUsers").GetChildren().ToList();
        if (seeds.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        foreach (var seed in seeds)
        {
            if (await AdminAuthentication.EnsureUserAsync(scope.ServiceProvider, seed["Email"] ?? string.Empty, seed["Password"] ?? string.Empty, seed["Role"] ?? string.Empty) is { } error)
            {
                logger.LogError("A configured user could not be created: {Error}", error);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
