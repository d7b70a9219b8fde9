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
/// The answer to one call's token: the caller, or why it was refused (a reason code, never the token) and, when the
/// token named a client we trust, that client.
/// </summary>
public sealed record CdsAuthentication(CdsCaller? Caller, string? Refusal, string? ClaimedClient)
{
    public static CdsAuthentication Accepted(string client) => new(new CdsCaller(client), null, client);
}

/// <summary>The reason codes of refused calls: audited in cds_audit (outcome <c>refused:CODE</c>) and counted in metrics.</summary>
public static class RefusalReasons
{
    public const string NoBearerToken = "no-bearer-token";
    public const string NotAJwt = "not-a-jwt";
    public const string AlgorithmNotAllowed = "algorithm-not-allowed";
    public const string UnknownIssuer = "unknown-issuer";
    public const string NoKid = "no-kid";
    public const string UnknownKid = "unknown-kid";
    public const string InvalidSignature = "invalid-signature";
    public const string WrongAudience = "wrong-audience";
    public const string Expired = "expired";
    public const string InvalidToken = "invalid-token";
    public const string IssuedInFuture = "iat-missing-or-future";
    public const string WrongTenant = "wrong-tenant";
    public const string NoJti = "no-jti";
    public const string Replayed = "jti-replayed";
    public const string Throttled = "throttled";
}

/// <summary>
/// Verifies the JWT a CDS Client sends with every call (CDS Hooks 2.0 "Trusting CDS Clients"): issuer among the trusted
/// clients; a <c>kid</c> header (REQUIRED by the specification) naming one of that client's keys, and the signature
/// checked with that key alone; keys from the client's configured JWKS URL or file — or from the token's <c>jku</c>
/// when that URL is on the client's allow-list; a jku off the list is never fetched (the specification lets a service
/// allow-list jku, and asks clients without one to exchange their JWK Set out of band: we take the configured keys as
/// that exchange); asymmetric algorithms from the allowed list only (never none or HMAC); <c>aud</c> equal to the exact
/// URL called (no trailing-slash leniency); exp and iat within the configured skew; tenant when configured; jti never
/// seen before (recorded in PostgreSQL, so every server process refuses a replay). Any failure is a refusal with a
/// reason code: a bare 401.
/// </summary>
public sealed class CdsClientAuthenticator(
    JwksCache jwks, ITokenReplayGuard replayGuard, CdsHooksOptions options, TimeProvider clock, ILogger<CdsClientAuthenticator> logger)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public async Task<CdsAuthentication> AuthenticateAsync(string? authorization, string calledUrl, CancellationToken cancellationToken)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(RefusalReasons.NoBearerToken, null);
        }

        var raw = authorization["Bearer ".Length..].Trim();
        JsonWebToken token;
        try
        {
            token = Handler.ReadJsonWebToken(raw);
        }
        catch (ArgumentException)
        {
            return Refuse(RefusalReasons.NotAJwt, null);
        }

        var algorithms = options.AllowedAlgorithms.Where(IsAsymmetric).ToList();
        if (!algorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            return Refuse(RefusalReasons.AlgorithmNotAllowed, null);
        }

        var client = options.Clients.FirstOrDefault(c => c.Issuer == token.Issuer);
        if (client is null)
        {
            return Refuse(RefusalReasons.UnknownIssuer, null);
        }

        if (string.IsNullOrEmpty(token.Kid))
        {
            return Refuse(RefusalReasons.NoKid, client.Issuer);
        }

        var keys = await KeysOf(client, token, cancellationToken);
        var signingKeys = keys.Where(k => k.KeyId == token.Kid).ToList();
        if (signingKeys.Count == 0)
        {
            return Refuse(RefusalReasons.UnknownKid, client.Issuer);
        }

        var skew = TimeSpan.FromSeconds(options.ClockSkewSeconds);
        var now = clock.GetUtcNow();
        var result = await Handler.ValidateTokenAsync(raw, new TokenValidationParameters
        {
            ValidIssuer = client.Issuer,
            ValidAudience = calledUrl,
            IgnoreTrailingSlashWhenValidatingAudience = false,
            IssuerSigningKeys = signingKeys,
            TryAllIssuerSigningKeys = false,
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
            return Refuse(result.Exception switch
            {
                SecurityTokenInvalidAudienceException => RefusalReasons.WrongAudience,
                SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException or SecurityTokenNoExpirationException => RefusalReasons.Expired,
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => RefusalReasons.InvalidSignature,
                _ => RefusalReasons.InvalidToken,
            }, client.Issuer);
        }

        if (!token.TryGetPayloadValue<long>("iat", out var iat) || DateTimeOffset.FromUnixTimeSeconds(iat) > now + skew)
        {
            return Refuse(RefusalReasons.IssuedInFuture, client.Issuer);
        }

        if (client.Tenant is { } tenant && (!token.TryGetPayloadValue<string>("tenant", out var claimed) || claimed != tenant))
        {
            return Refuse(RefusalReasons.WrongTenant, client.Issuer);
        }

        if (string.IsNullOrEmpty(token.Id))
        {
            return Refuse(RefusalReasons.NoJti, client.Issuer);
        }

        return await replayGuard.TryUseTokenAsync(client.Issuer, token.Id, token.ValidTo, cancellationToken)
            ? CdsAuthentication.Accepted(client.Issuer)
            : Refuse(RefusalReasons.Replayed, client.Issuer);
    }

    /// <summary>The keys the token may be verified with: its allow-listed jku's, else the client's configured JWK Set.</summary>
    private Task<IReadOnlyList<SecurityKey>> KeysOf(TrustedCdsClient client, JsonWebToken token, CancellationToken cancellationToken)
    {
        if (token.TryGetHeaderValue<string>("jku", out var jku) && client.JkuAllowlist.Contains(jku, StringComparer.Ordinal))
        {
            return jwks.GetKeysAsync(jku, token.Kid, cancellationToken);
        }

        if (!string.IsNullOrEmpty(client.JwksFile))
        {
            return Task.FromResult(jwks.GetFileKeys(client.JwksFile));
        }

        return string.IsNullOrEmpty(client.JwksUri)
            ? Task.FromResult<IReadOnlyList<SecurityKey>>([])
            : jwks.GetKeysAsync(client.JwksUri, token.Kid, cancellationToken);
    }

    private static bool IsAsymmetric(string algorithm) => algorithm.Length > 2 && algorithm[..2] is "RS" or "PS" or "ES";

    private CdsAuthentication Refuse(string reason, string? client)
    {
        // The reason, never the token: it is a credential.
        logger.LogInformation("CDS client authentication refused: {Reason}", reason);
        return new CdsAuthentication(null, reason, client);
    }
}

/// <summary>
/// JWKS documents by URL (or file), cached for ten minutes; a kid not in the cached set triggers one refetch (a client rotating its
/// keys), at most once a minute per URL so a stream of forged kids cannot make us hammer the client's server.
/// </summary>
public sealed class JwksCache(IHttpClientFactory clients, TimeProvider clock)
{
    public const string ClientName = "jwks";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinimumRefetch = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt)> _byUrl = new(StringComparer.Ordinal);
    private static readonly TimeSpan FileRecheck = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (IReadOnlyList<SecurityKey> Keys, DateTime WrittenAt, DateTimeOffset CheckedAt)> _byFile = new(StringComparer.Ordinal);

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

    /// <summary>
    /// The signing keys of a JWKS file, read again when the file changes — looked at no more than once a second, so that a
    /// hook call does not pay a file-system call; none when it cannot be read.
    /// </summary>
    public IReadOnlyList<SecurityKey> GetFileKeys(string path)
    {
        var now = clock.GetUtcNow();
        if (_byFile.TryGetValue(path, out var cached) && now - cached.CheckedAt < FileRecheck)
        {
            return cached.Keys;
        }

        try
        {
            var written = File.GetLastWriteTimeUtc(path);
            var keys = cached.Keys is not null && cached.WrittenAt == written
                ? cached.Keys
                : new JsonWebKeySet(File.ReadAllText(path)).GetSigningKeys().ToList();
            _byFile[path] = (keys, written, now);
            return keys;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }
}
