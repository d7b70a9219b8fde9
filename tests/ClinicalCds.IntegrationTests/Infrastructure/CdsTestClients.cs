using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>A CDS Client's signing keys (ES384 and RS384) and a way to mint its JWTs, good or deliberately bad.</summary>
public sealed class TestCdsClient(string issuer)
{
    private static readonly JsonWebTokenHandler Handler = new();

    public string Issuer { get; } = issuer;
    public ECDsaSecurityKey EcKey { get; } = new(ECDsa.Create(ECCurve.NamedCurves.nistP384)) { KeyId = "ec-" + Guid.NewGuid().ToString("N")[..8] };
    public RsaSecurityKey RsaKey { get; } = new(RSA.Create(2048)) { KeyId = "rsa-" + Guid.NewGuid().ToString("N")[..8] };

    /// <summary>The public keys as a JWKS document.</summary>
    public string Jwks()
    {
        var keys = new[] { JsonWebKeyConverter.ConvertFromECDsaSecurityKey(EcKey), JsonWebKeyConverter.ConvertFromRSASecurityKey(RsaKey) }
            .Select(k => new Dictionary<string, string?>
            {
                ["kty"] = k.Kty, ["kid"] = k.Kid, ["use"] = "sig", ["crv"] = k.Crv, ["x"] = k.X, ["y"] = k.Y, ["n"] = k.N, ["e"] = k.E,
            }.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value));
        return JsonSerializer.Serialize(new { keys });
    }

    public string Token(
        string audience,
        string algorithm = SecurityAlgorithms.EcdsaSha384,
        string? issuer = null,
        DateTimeOffset? expires = null,
        DateTimeOffset? issuedAt = null,
        string? jti = null,
        bool withJti = true,
        bool withExp = true,
        bool withIat = true,
        SecurityKey? key = null,
        IDictionary<string, object>? header = null)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object> { ["iss"] = issuer ?? Issuer, ["aud"] = audience };
        if (withJti)
        {
            claims["jti"] = jti ?? Guid.NewGuid().ToString();
        }

        if (withIat)
        {
            claims["iat"] = (issuedAt ?? now).ToUnixTimeSeconds();
        }

        if (withExp)
        {
            claims["exp"] = (expires ?? now.AddMinutes(5)).ToUnixTimeSeconds();
        }

        var signingKey = key ?? (algorithm.StartsWith("RS", StringComparison.Ordinal) ? RsaKey : EcKey);
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(signingKey, algorithm),
            AdditionalHeaderClaims = header,
        };
        Handler.SetDefaultTimesOnTokenCreation = false;
        return Handler.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (alg none) with the given claims, as an attacker would send it.</summary>
    public static string Unsigned(object payload) =>
        $"{Base64Url(JsonSerializer.Serialize(new { alg = "none", typ = "JWT" }))}.{Base64Url(JsonSerializer.Serialize(payload))}.";

    public static string Base64Url(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));
}
