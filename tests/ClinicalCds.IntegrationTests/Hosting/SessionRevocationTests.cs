using System.Net;
using System.Text.RegularExpressions;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>Issue 33 item 5: a session ends on the server at sign-out and at a new password; a copied cookie stops working.</summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class SessionRevocationTests(ScoringServerFixture fixture)
{
    private const string Email = "session.revocation@hospital.test";

    private HttpClient Browser(string? cookie)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl };
        if (cookie is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", cookie);
        }

        return client;
    }

    private async Task<HttpStatusCode> WorklistAsync(string cookie)
    {
        using var client = Browser(cookie);
        using var response = await client.GetAsync("/api/worklist?pageSize=1");
        return response.StatusCode;
    }

    [Fact]
    public async Task A_copied_cookie_stops_working_after_sign_out_and_after_a_password_reset()
    {
        var environment = new Dictionary<string, string> { ["ConnectionStrings__ClinicalCds"] = fixture.Database.ConnectionString };
        var (added, output) = await CliProcess.RunAsync(environment, "users", "add", "--email", Email, "--role", "care-manager", "--password", ScoringServerFixture.Password);
        Assert.True(added == 0, output);

        var session = await fixture.SignInAsync(Email);
        var copy = session;
        var otherBrowser = await fixture.SignInAsync(Email);
        Assert.Equal(HttpStatusCode.OK, await WorklistAsync(session));

        // Sign out in the browser that holds the session (a signed-in page's form, with its antiforgery token).
        using (var browser = Browser(null))
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, "/worklist");
            get.Headers.Add("Cookie", session);
            using var page = await browser.SendAsync(get);
            var token = Regex.Match(await page.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            Assert.NotEmpty(token);
            // The antiforgery cookie that goes with the token, beside the session's.
            var antiforgery = page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Where(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
            using var post = new HttpRequestMessage(HttpMethod.Post, "/account/logout")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }),
            };
            post.Headers.Add("Cookie", string.Join("; ", antiforgery.Prepend(session)));
            using var logout = await browser.SendAsync(post);
            Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await WorklistAsync(copy));
        Assert.Equal(HttpStatusCode.Unauthorized, await WorklistAsync(otherBrowser));

        // A new password ends the sessions signed in with the old one.
        var fresh = await fixture.SignInAsync(Email);
        Assert.Equal(HttpStatusCode.OK, await WorklistAsync(fresh));
        var (reset, resetOutput) = await CliProcess.RunAsync(environment, "users", "reset-password", "--email", Email, "--password", "another long passphrase 2026");
        Assert.True(reset == 0, resetOutput);
        Assert.Equal(HttpStatusCode.Unauthorized, await WorklistAsync(fresh));
    }
}
