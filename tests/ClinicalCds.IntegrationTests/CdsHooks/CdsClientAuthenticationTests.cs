using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ClinicalCds.Infrastructure.CdsHooks;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace ClinicalCds.IntegrationTests.CdsHooks;

/// <summary>CDS Hooks 2.0 "Trusting CDS Clients": a correct ES384 or RS384 token passes; every attack is a bare 401.</summary>
[Collection(CdsServer.Name)]
public sealed class CdsClientAuthenticationTests(CdsServerFixture server)
{
    private const string Path = "/cds-services/patient-risk-summary";

    // A valid patient-view call for a patient the store does not hold, so a passing token gets 412 or 200, never 401.
    private static readonly string Body = """
        {"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
         "context":{"userId":"Practitioner/example","patientId":"nobody"},
         "prefetch":{"patient":null,"encounters":null,"conditions":null,"observations":null,"procedures":null,"medications":null}}
        """;

    private async Task<HttpResponseMessage> Call(string? authorization, string path = Path)
    {
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request);
    }

    private string Audience => server.Audience(Path);

    [Theory]
    [InlineData(SecurityAlgorithms.EcdsaSha384)]
    [InlineData(SecurityAlgorithms.RsaSha384)]
    public async Task A_correct_token_is_accepted(string algorithm)
    {
        using var response = await Call("Bearer " + server.Ehr.Token(Audience, algorithm));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"cards":[]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_jku_on_the_allowlist_is_honoured()
    {
        var token = server.EhrAlternateKeys.Token(Audience, header: new Dictionary<string, object> { ["jku"] = server.AllowedJku });
        using var response = await Call("Bearer " + token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Issue 33 item 7: the 16 MB cap holds for a chunked body (no Content-Length) from a trusted client.</summary>
    [Fact]
    public async Task A_chunked_body_over_the_cap_is_refused_413_and_the_answer_is_not_cached()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StreamContent(new PaddedCall(17 * 1024 * 1024)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + server.Ehr.Token(Audience, SecurityAlgorithms.EcdsaSha384));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(request.Content.Headers.ContentLength);
        Assert.Contains("larger than 16 MB", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var ok = await Call("Bearer " + server.Ehr.Token(Audience, SecurityAlgorithms.EcdsaSha384));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("no-store", ok.Headers.CacheControl?.ToString());
    }

    /// <summary>A valid call padded with a long string to <paramref name="length"/> bytes, read once, length unknown.</summary>
    private sealed class PaddedCall(long length) : Stream
    {
        private static readonly byte[] Head = Encoding.UTF8.GetBytes("{\"hook\":\"patient-view\",\"pad\":\"");
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = at < Head.Length ? Head[at] : at == length - 2 ? (byte)'"' : at == length - 1 ? (byte)'}' : (byte)'x';
            }

            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public static TheoryData<string> Attacks => new()
    {
        "no header", "not bearer", "garbage", "alg none", "HS256 with the public key", "wrong aud", "expired", "iat in the future",
        "unknown kid", "unknown iss", "jku off the allowlist", "tampered payload", "no jti", "no exp", "no iat", "signed by another key",
        "no kid, signed by the client's key", "the client's key under an unknown kid", "the kid of the client's other key", "aud with a trailing slash",
        "aud of the service's base URL",
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Every_attack_is_a_bare_401(string attack)
    {
        var ehr = server.Ehr;
        var now = DateTimeOffset.UtcNow;
        string? header = attack switch
        {
            "no header" => null,
            "not bearer" => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:password")),
            "garbage" => "Bearer not.a.jwt",
            "alg none" => "Bearer " + TestCdsClient.Unsigned(new
            {
                iss = ehr.Issuer, aud = Audience, exp = now.AddMinutes(5).ToUnixTimeSeconds(), iat = now.ToUnixTimeSeconds(), jti = Guid.NewGuid().ToString(),
            }),
            "HS256 with the public key" => "Bearer " + ehr.Token(Audience, SecurityAlgorithms.HmacSha256,
                key: new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ehr.Jwks())) { KeyId = ehr.EcKey.KeyId }),
            "wrong aud" => "Bearer " + ehr.Token(server.Audience("/cds-services/readmission-risk")),
            "expired" => "Bearer " + ehr.Token(Audience, expires: now.AddMinutes(-5), issuedAt: now.AddMinutes(-10)),
            "iat in the future" => "Bearer " + ehr.Token(Audience, issuedAt: now.AddMinutes(10), expires: now.AddMinutes(15)),
            "unknown kid" => "Bearer " + ehr.Token(Audience, key: new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384)) { KeyId = "unknown" }),
            "unknown iss" => "Bearer " + ehr.Token(Audience, issuer: "https://stranger.test/"),
            "jku off the allowlist" => "Bearer " + server.EhrAlternateKeys.Token(Audience, header: new Dictionary<string, object> { ["jku"] = new Uri(server.JwksBaseUrl, "/spec/jwks.json").ToString() }),
            "tampered payload" => "Bearer " + Tamper(ehr.Token(Audience)),
            "no jti" => "Bearer " + ehr.Token(Audience, withJti: false),
            "no exp" => "Bearer " + ehr.Token(Audience, withExp: false),
            "no iat" => "Bearer " + ehr.Token(Audience, withIat: false),
            "signed by another key" => "Bearer " + ehr.Token(Audience, key: new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384)) { KeyId = ehr.EcKey.KeyId }),
            "no kid, signed by the client's key" => "Bearer " + ehr.Token(Audience, key: new ECDsaSecurityKey(ehr.EcKey.ECDsa)),
            "the client's key under an unknown kid" => "Bearer " + ehr.Token(Audience, key: new ECDsaSecurityKey(ehr.EcKey.ECDsa) { KeyId = "not-a-key-of-this-client" }),
            "the kid of the client's other key" => "Bearer " + ehr.Token(Audience, key: new ECDsaSecurityKey(ehr.EcKey.ECDsa) { KeyId = ehr.RsaKey.KeyId }),
            "aud with a trailing slash" => "Bearer " + ehr.Token(Audience + "/"),
            "aud of the service's base URL" => "Bearer " + ehr.Token(server.BaseUrl.ToString()),
            _ => throw new ArgumentOutOfRangeException(nameof(attack)),
        };

        using var response = await Call(header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_jku_off_the_allowlist_is_never_fetched_and_the_clients_configured_keys_still_verify_the_token()
    {
        // As the CDS Hooks sandbox sends it: a jku of its own, the key also in the JWK Set configured for the client.
        var jku = new Uri(server.JwksBaseUrl, "/not-allowed/jwks.json").ToString();
        var fetchesBefore = server.JwksRequests(jku);
        using var response = await Call("Bearer " + server.Ehr.Token(Audience, header: new Dictionary<string, object> { ["jku"] = jku }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fetchesBefore, server.JwksRequests(jku));
    }

    [Theory]
    [InlineData("no kid", "no-kid", CdsServerFixture.EhrIssuer)]
    [InlineData("unknown issuer", "unknown-issuer", null)]
    [InlineData("trailing slash", "wrong-audience", CdsServerFixture.EhrIssuer)]
    [InlineData("replay", "jti-replayed", CdsServerFixture.EhrIssuer)]
    [InlineData("no token", "no-bearer-token", null)]
    public async Task Every_refusal_is_audited_with_its_reason_and_counted(string refusal, string reason, string? client)
    {
        var ehr = server.Ehr;
        var replayed = ehr.Token(Audience);
        if (refusal == "replay")
        {
            using var first = await Call("Bearer " + replayed);
        }

        var header = refusal switch
        {
            "no kid" => "Bearer " + ehr.Token(Audience, key: new ECDsaSecurityKey(ehr.EcKey.ECDsa)),
            "unknown issuer" => "Bearer " + ehr.Token(Audience, issuer: "https://stranger.test/"),
            "trailing slash" => "Bearer " + ehr.Token(Audience + "/"),
            "replay" => "Bearer " + replayed,
            _ => null,
        };
        const string Audit = "SELECT count(*) FROM cds_audit WHERE service_id = 'patient-risk-summary' AND status = 401 AND outcome = @o AND client_id IS NOT DISTINCT FROM @c";
        var outcome = $"refused:{reason}";
        var before = await server.Database.ScalarAsync(Audit, ("o", outcome), ("c", (object?)client ?? DBNull.Value));
        using var counted = new RefusalCounter(reason);

        using var response = await Call(header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before + 1, await server.Database.ScalarAsync(Audit, ("o", outcome), ("c", (object?)client ?? DBNull.Value)));
        Assert.True(counted.Count >= 1, $"clinicalcds.hook.refused was not counted for {reason}");
        // No credential in the audit trail: the token's signature part appears nowhere.
        if (header is not null)
        {
            Assert.Equal(0, await server.Database.ScalarAsync("SELECT count(*) FROM cds_audit WHERE outcome LIKE '%' || @s || '%'", ("s", header.Split('.')[^1])));
        }
    }

    /// <summary>Counts <c>clinicalcds.hook.refused</c> measurements with one reason while it lives.</summary>
    private sealed class RefusalCounter : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _count;

        public RefusalCounter(string reason)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "clinicalcds.hook.refused")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason" && (string?)tag.Value == reason)
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task A_replayed_jti_is_refused()
    {
        var token = server.Ehr.Token(Audience);
        using var first = await Call("Bearer " + token);
        using var replay = await Call("Bearer " + token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Fact]
    public async Task The_replay_guard_forgets_only_ids_of_tokens_that_have_expired()
    {
        var store = server.Services.GetRequiredService<PostgresCdsStore>();
        var issuer = $"https://purge-{Guid.NewGuid():N}.test/";
        var now = DateTimeOffset.UtcNow;
        Assert.True(await store.TryUseTokenAsync(issuer, "expired", now.AddMinutes(-5), CancellationToken.None));
        Assert.True(await store.TryUseTokenAsync(issuer, "live", now.AddMinutes(5), CancellationToken.None));

        await store.ForgetTokensExpiredBeforeAsync(now, CancellationToken.None);

        Assert.Equal(0, await server.Database.ScalarAsync("SELECT count(*) FROM cds_token_uses WHERE issuer = @i AND jti = 'expired'", ("i", issuer)));
        Assert.False(await store.TryUseTokenAsync(issuer, "live", now.AddMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task The_specifications_example_JWT_has_expired_and_is_refused()
    {
        var header = File.ReadAllText(System.IO.Path.Combine(Fixtures.Root, "cds-hooks", "jwt-authorization-header.txt")).Trim();
        Assert.StartsWith("Authorization: Bearer ", header, StringComparison.Ordinal);
        using var response = await Call(header["Authorization: ".Length..], "/cds-services/patient-risk-summary");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Discovery_needs_no_token()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        using var response = await client.GetAsync("/cds-services");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"iss\"", "\"sub\":\"admin\",\"iss\"", StringComparison.Ordinal);
        return $"{parts[0]}.{TestCdsClient.Base64Url(payload)}.{parts[2]}";
    }
}
