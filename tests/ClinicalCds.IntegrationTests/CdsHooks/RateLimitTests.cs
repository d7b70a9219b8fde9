using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace ClinicalCds.IntegrationTests.CdsHooks;

/// <summary>Per-client and per-address token buckets on CDS Hooks calls, on a server of their own with small limits.</summary>
[Collection(CdsServer.Name)]
public sealed class RateLimitTests(CdsServerFixture server)
{
    private const string Path = "/cds-services/patient-risk-summary";

    private const string Body = """
        {"hook":"patient-view","hookInstance":"0c9b5d3e-1a53-4b0e-9f55-3a2b7a1c0d11",
         "context":{"userId":"Practitioner/example","patientId":"nobody"},
         "prefetch":{"patient":null,"encounters":null,"conditions":null,"observations":null,"procedures":null,"medications":null}}
        """;

    private static async Task<HttpResponseMessage> Call(Uri baseUrl, string? token)
    {
        using var client = new HttpClient { BaseAddress = baseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    private string ValidToken() => server.Ehr.Token(server.Audience(Path));

    /// <summary>Throttled calls audited since <paramref name="since"/> for <paramref name="client"/> (null: by address, no client known).</summary>
    private Task<long> ThrottledAudits(DateTimeOffset since, string? client) => server.Database.ScalarAsync(
        "SELECT count(*) FROM cds_audit WHERE at >= @since AND status = 429 AND outcome = 'refused:throttled' AND client_id IS NOT DISTINCT FROM @client",
        ("since", since), ("client", (object?)client ?? DBNull.Value));

    [Fact]
    public async Task A_client_beyond_its_rate_gets_429_with_Retry_After_and_forged_tokens_do_not_spend_its_budget()
    {
        var since = DateTimeOffset.UtcNow;
        var (app, url) = await server.StartAnotherAsync(
            "--CdsHooks:ClientRequestsPerSecond=1", "--CdsHooks:ClientBurst=3", "--CdsHooks:AddressRequestsPerSecond=0");
        await using (app)
        {
            // Someone forging the EHR's issuer with a key of their own: refused as unauthenticated, and the EHR's bucket is untouched.
            var forger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP384)) { KeyId = "forged" };
            for (var i = 0; i < 10; i++)
            {
                using var forged = await Call(url, server.Ehr.Token(server.Audience(Path), key: forger));
                Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            }

            // Six calls at once: the burst of three is admitted (one more if the bucket's once-a-second refill falls
            // inside the loop), the rest are throttled.
            var answers = new List<HttpResponseMessage>();
            for (var i = 0; i < 6; i++)
            {
                answers.Add(await Call(url, ValidToken()));
            }

            Assert.DoesNotContain(answers, a => a.StatusCode == HttpStatusCode.Unauthorized);
            var admitted = answers.Count(a => a.StatusCode != HttpStatusCode.TooManyRequests);
            Assert.InRange(admitted, 3, 4);
            using var throttled = answers.Last();
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), throttled.Headers.RetryAfter?.Delta);
            using var outcome = JsonDocument.Parse(await throttled.Content.ReadAsStringAsync());
            Assert.Equal("OperationOutcome", outcome.RootElement.GetProperty("resourceType").GetString());
            Assert.Equal("throttled", outcome.RootElement.GetProperty("issue")[0].GetProperty("code").GetString());

            // Audited with the client, at most once a second (the throttled calls came within a second or two).
            Assert.InRange(await ThrottledAudits(since, CdsServerFixture.EhrIssuer), 1, Math.Min(2, answers.Count - admitted));
            answers.ForEach(a => a.Dispose());

            // The bucket refills at the configured rate.
            await Task.Delay(TimeSpan.FromSeconds(1.3));
            using var again = await Call(url, ValidToken());
            Assert.NotEqual(HttpStatusCode.TooManyRequests, again.StatusCode);
        }
    }

    [Fact]
    public async Task An_address_beyond_its_rate_is_refused_before_its_token_is_checked()
    {
        var since = DateTimeOffset.UtcNow;
        var (app, url) = await server.StartAnotherAsync("--CdsHooks:AddressRequestsPerSecond=1");
        await using (app)
        {
            // Burst of twice the rate, then 429 even for a caller with no token at all.
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                using var response = await Call(url, token: null);
                statuses.Add(response.StatusCode);
            }

            Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], statuses.Take(2));
            Assert.Contains(HttpStatusCode.TooManyRequests, statuses.Skip(2));
            Assert.InRange(await ThrottledAudits(since, client: null), 1, 2);
        }
    }
}
