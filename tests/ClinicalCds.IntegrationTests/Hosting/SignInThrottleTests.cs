using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>
/// Issue 33 item 3: sign-in says the same for a real and a missing account, and repeated failures slow the address that
/// makes them, never lock the account for its owner elsewhere.
/// </summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class SignInThrottleTests(ScoringServerFixture fixture)
{
    /// <summary>A browser on another machine: its connections come from <paramref name="address"/> (a loopback alias).</summary>
    private HttpClient From(string address, System.Net.CookieContainer cookies) => new(new SocketsHttpHandler
    {
        CookieContainer = cookies,
        AllowAutoRedirect = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = fixture.BaseUrl };

    private static async Task<(HttpStatusCode Status, string Page)> SignInAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/account/login");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Failures_slow_the_address_that_makes_them_the_same_for_a_real_and_a_missing_account_and_never_lock_the_owner_out()
    {
        using var stranger = From("127.0.0.23", new CookieContainer());
        foreach (var account in new[] { ScoringServerFixture.CareManager, "nobody.here@hospital.test" })
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var (status, page) = await SignInAsync(stranger, account, $"wrong password {attempt}");
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.Contains("The email or password is not correct.", page, StringComparison.Ordinal);
                Assert.DoesNotContain("locked", page, StringComparison.OrdinalIgnoreCase);
            }

            // Slowed: from this address even the right password is refused for now — the same words for both accounts.
            var (_, slowed) = await SignInAsync(stranger, account, ScoringServerFixture.Password);
            Assert.Contains("Too many failed sign-ins from this network. Try again in 15 minutes.", slowed, StringComparison.Ordinal);
        }

        // The owner, elsewhere, signs in as ever: nobody can lock them out.
        using var owner = From("127.0.0.1", new CookieContainer());
        var (signedIn, _) = await SignInAsync(owner, ScoringServerFixture.CareManager, ScoringServerFixture.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn);
    }
}
