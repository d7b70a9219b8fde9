using System.Collections.Concurrent;
using ClinicalCds.Application.CdsHooks;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClinicalCds.Infrastructure.CdsHooks;

/// <summary>Remembers JWT ids for their lifetime across every server process.</summary>
public interface ITokenReplayGuard
{
    /// <summary>Records <paramref name="jti"/> of <paramref name="issuer"/>; false when it was already used (a replay).</summary>
    Task<bool> TryUseTokenAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}

/// <summary>An authenticated CDS Client (its JWT issuer).</summary>
public sealed record CdsCaller(string ClientId);

/// <summary>
/// Verifies the JWT a CDS Client sends with every call (CDS Hooks 2.0 "Trusting CDS Clients"): issuer among the trusted
/// clients; keys from the client's JWKS URL (or the token's jku, only when allow-listed), cached and refreshed when an
/// unknown kid appears (key rotation); asymmetric algorithms from the allowed list only (never none or HMAC); aud equal
/// to the exact URL called; exp and iat within the configured skew; tenant when configured; jti never seen before
/// (recorded in PostgreSQL, so every server process refuses a replay). Any failure is a null caller: a bare 401.
/// </summary>
public sealed class CdsClientAuthenticator(
    JwksCache jwks, ITokenReplayGuard replayGuard, CdsHooksOptions options, TimeProvider clock, ILogger<CdsClientAuthenticator> logger)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public async Task<CdsCaller?> AuthenticateAsync(string? authorization, string calledUrl, CancellationToken cancellationToken)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse("no bearer token");
        }

        var raw = authorization["Bearer ".Length..].Trim();
        JsonWebToken token;
        try
        {
            token = Handler.ReadJsonWebToken(raw);
        }
        catch (ArgumentException)
        {
            return Refuse("not a JWT");
        }

        var algorithms = options.AllowedAlgorithms.Where(IsAsymmetric).ToList();
        if (!algorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            return Refuse($"algorithm {token.Alg} not allowed");
        }

        var client = options.Clients.FirstOrDefault(c => c.Issuer == token.Issuer);
        if (client is null)
        {
            return Refuse("unknown issuer");
        }

        var jwksUri = client.JwksUri;
        if (token.TryGetHeaderValue<string>("jku", out var jku) && !string.IsNullOrEmpty(jku))
        {
            if (!client.JkuAllowlist.Contains(jku, StringComparer.Ordinal))
            {
                return Refuse("jku not on the allowlist");
            }

            jwksUri = jku;
        }

        var keys = await jwks.GetKeysAsync(jwksUri, token.Kid, cancellationToken);
        if (keys.Count == 0)
        {
            return Refuse("no signing key");
        }

        var skew = TimeSpan.FromSeconds(options.ClockSkewSeconds);
        var now = clock.GetUtcNow();
        var result = await Handler.ValidateTokenAsync(raw, new TokenValidationParameters
        {
            ValidIssuer = client.Issuer,
            ValidAudience = calledUrl,
            IssuerSigningKeys = keys,
            ValidAlgorithms = algorithms,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = skew,
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && exp.ToUniversalTime() > now.UtcDateTime - skew && (notBefore is null || notBefore.Value.ToUniversalTime() <= now.UtcDateTime + skew),
        });
        if (!result.IsValid)
        {
            return Refuse(result.Exception?.GetType().Name ?? "invalid token");
        }

        if (!token.TryGetPayloadValue<long>("iat", out var iat) || DateTimeOffset.FromUnixTimeSeconds(iat) > now + skew)
        {
            return Refuse("iat missing or in the future");
        }

        if (client.Tenant is { } tenant && (!token.TryGetPayloadValue<string>("tenant", out var claimed) || claimed != tenant))
        {
            return Refuse("wrong tenant");
        }

        if (string.IsNullOrEmpty(token.Id) || !await replayGuard.TryUseTokenAsync(client.Issuer, token.Id, token.ValidTo, cancellationToken))
        {
            return Refuse("jti missing or replayed");
        }

        return new CdsCaller(client.Issuer);
    }

    private static bool IsAsymmetric(string algorithm) => algorithm.Length > 2 && algorithm[..2] is "RS" or "PS" or "ES";

    private CdsCaller? Refuse(string reason)
    {
        // The reason, never the token: it is a credential.
        logger.LogInformation("CDS client authentication refused: {Reason}", reason);
        return null;
    }
}

/// <summary>
/// JWKS documents by URL, cached for ten minutes; a kid not in the cached set triggers one refetch (a client rotating its
/// keys), at most once a minute per URL so a stream of forged kids cannot make us hammer the client's server.
/// </summary>
public sealed class JwksCache(IHttpClientFactory clients, TimeProvider clock)
{
    public const string ClientName = "jwks";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinimumRefetch = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt)> _byUrl = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<SecurityKey>> GetKeysAsync(string url, string? kid, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_byUrl.TryGetValue(url, out var cached))
        {
            var known = kid is null || cached.Keys.Any(k => k.KeyId == kid);
            var fresh = now - cached.FetchedAt < Lifetime;
            if ((known && fresh) || now - cached.FetchedAt < MinimumRefetch)
            {
                return cached.Keys;
            }
        }

        try
        {
            var json = await clients.CreateClient(ClientName).GetStringAsync(url, cancellationToken);
            var keys = new JsonWebKeySet(json).GetSigningKeys();
            _byUrl[url] = (keys.ToList(), now);
            return _byUrl[url].Keys;
        }
        catch (Exception e) when (e is HttpRequestException or ArgumentException or TaskCanceledException)
        {
            return cached.Keys ?? [];
        }
    }
}
