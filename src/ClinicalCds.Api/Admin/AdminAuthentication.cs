using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ClinicalCds.Api.Admin;

/// <summary>
/// Administrators: the admin API and the jobs dashboard (/jobs) need the role "admin". Automation authenticates with
/// an admin API key (Admin:ApiKeys, from a secret store or the environment) sent as a bearer token.
/// </summary>
public static class AdminAuthentication
{
    public const string Scheme = "AdminKey";
    public const string Policy = "admin";
    public const string Role = "admin";

    public static IServiceCollection AddAdminAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var keys = configuration.GetSection("Admin:ApiKeys").Get<string[]>() ?? [];
        services.AddAuthentication(Scheme).AddScheme<AdminKeyOptions, AdminKeyHandler>(Scheme, o => o.KeyHashes =
            [.. keys.Where(k => k.Length >= 16).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k)))]);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireRole(Role));
        return services;
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
