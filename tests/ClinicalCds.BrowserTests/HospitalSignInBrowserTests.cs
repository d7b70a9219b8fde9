using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalCds.Api.Hosting;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace ClinicalCds.BrowserTests;

/// <summary>
/// A real, certified OpenID provider — panva's <c>oidc-provider</c> (OpenID Certified), pinned, installed from the npm
/// registry on first use into artifacts/ — started as its own Node process at 127.0.0.1, and our server at localhost: two
/// different sites, as a hospital's provider and ClinicalCds are. People and their roles live in a file the provider
/// reads at each sign-in, so a test can change a role at the provider.
/// </summary>
public sealed class OidcProviderFixture : IAsyncLifetime
{
    public const string Version = "9.13.3";
    public const string ClientSecret = "browser-test-client-secret-7f3a";

    private readonly TestDatabase _database = new();
    private readonly string _people = Path.Combine(Path.GetTempPath(), $"clinicalcds-oidc-people-{Guid.NewGuid():N}.json");
    private Process? _provider;
    private readonly System.Text.StringBuilder _providerOutput = new();
    private WebApplication? _api;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public Uri ApiUrl { get; private set; } = null!;

    public string Issuer { get; private set; } = null!;

    public string ProviderOutput { get { lock (_providerOutput) { return _providerOutput.ToString(); } } }

    /// <summary>Who the provider knows: their email and the roles it asserts.</summary>
    public void People(Dictionary<string, (string Email, string[] Roles)> people) => File.WriteAllText(_people, JsonSerializer.Serialize(
        people.ToDictionary(p => p.Key, p => new { email = p.Value.Email, email_verified = true, name = p.Value.Email, roles = p.Value.Roles })));

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var home = await InstallAsync();
        ApiUrl = TestServer.FreeAddress("localhost");
        var port = Ports.Free();
        Issuer = $"http://127.0.0.1:{port}";
        People([]);
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = home };
        foreach (var argument in new[] { Path.Combine(home, "provider.mjs"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{ApiUrl}account/oidc/callback", _people, $"{ApiUrl}account/login" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NODE_ENV"] = "development";
        _provider = Process.Start(start)!;
        _provider.OutputDataReceived += (_, e) => { lock (_providerOutput) { _providerOutput.AppendLine(e.Data); } };
        _provider.ErrorDataReceived += (_, e) => { lock (_providerOutput) { _providerOutput.AppendLine(e.Data); } };
        _provider.BeginOutputReadLine();
        _provider.BeginErrorReadLine();
        using (var http = new HttpClient())
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    using var discovery = await http.GetAsync($"{Issuer}/.well-known/openid-configuration");
                    if (discovery.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_provider.HasExited)
                {
                }

                Assert.True(DateTime.UtcNow < deadline && !_provider.HasExited, $"oidc-provider did not start:\n{ProviderOutput}");
                await Task.Delay(200);
            }
        }

        _api = (await TestServer.StartAsync(_database.ConnectionString,
        [
            $"--Auth:Oidc:Authority={Issuer}",
            "--Auth:Oidc:ClientId=clinicalcds",
            $"--Auth:Oidc:ClientSecret={ClientSecret}",
            "--Auth:Oidc:DisplayName=Sign in with St Elsewhere",
            "--Auth:Oidc:RequireHttpsMetadata=false",
            "--Auth:Oidc:Scopes=openid email profile roles",
            "--Auth:Oidc:RoleMap:cds-care=care-manager",
            "--Auth:Oidc:Roles:0:Value=urn:hospital:cds-admin",
            "--Auth:Oidc:Roles:0:Role=admin",
        ], at: ApiUrl)).App;
        _playwright = await Playwright.CreateAsync();
        Browser = await DebianChromium.LaunchAsync(_playwright);
    }

    /// <summary>oidc-provider at the pinned version with the test's provider script beside it (ES modules resolve from there).</summary>
    private static async Task<string> InstallAsync()
    {
        var home = Path.Combine(Repository.Root, "artifacts", $"oidc-provider-{Version}");
        Directory.CreateDirectory(home);
        if (!File.Exists(Path.Combine(home, "node_modules", "oidc-provider", "package.json")))
        {
            var npm = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = home };
            foreach (var argument in new[] { "install", "--no-audit", "--no-fund", "--no-save", "--prefix", home, $"oidc-provider@{Version}" })
            {
                npm.ArgumentList.Add(argument);
            }

            using var install = Process.Start(npm)!;
            var output = install.StandardOutput.ReadToEndAsync();
            var error = install.StandardError.ReadToEndAsync();
            await install.WaitForExitAsync();
            Assert.True(install.ExitCode == 0, $"npm install oidc-provider@{Version} failed:\n{await output}\n{await error}");
        }

        File.Copy(Path.Combine(AppContext.BaseDirectory, "Oidc", "provider.mjs"), Path.Combine(home, "provider.mjs"), overwrite: true);
        return home;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Browser is not null)
            {
                await Browser.DisposeAsync();
            }

            _playwright?.Dispose();
            if (_api is not null)
            {
                await _api.DisposeAsync();
            }
        }
        finally
        {
            if (_provider is { HasExited: false })
            {
                _provider.Kill(entireProcessTree: true);
                await _provider.WaitForExitAsync();
            }

            _provider?.Dispose();
            File.Delete(_people);
            await _database.DisposeAsync();
        }
    }
}

/// <summary>
/// Hospital sign-in in a real browser with the page's Content-Security-Policy enforced, through a real OpenID provider on
/// another site (issue 36 item 1): the sign-in form may go on to the provider, the session cookie survives the redirect
/// chain back, roles come from the provider and follow it.
/// </summary>
public sealed class HospitalSignInBrowserTests(OidcProviderFixture fixture) : IClassFixture<OidcProviderFixture>
{
    private static readonly Dictionary<string, (string Email, string[] Roles)> Staff = new()
    {
        ["p-care"] = ("nurse.navigator@hospital.test", ["cds-care", "staff"]),
        ["p-admin"] = ("data.lead@hospital.test", ["urn:hospital:cds-admin"]),
        ["p-none"] = ("visitor@hospital.test", ["staff"]),
    };

    private string Url(string path) => new Uri(fixture.ApiUrl, path).ToString();

    /// <summary>From our sign-in page through the provider's own login pages and back; what the browser's console said about CSP.</summary>
    private async Task<(IPage Page, List<string> Violations)> SignInAsync(IBrowserContext context, string person)
    {
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        await page.GotoAsync(Url("/account/login"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with St Elsewhere" }).ClickAsync();
        // The provider's login page (its development interactions): any password, the login names the person.
        await page.ArrivedAtAsync(new Regex("^" + Regex.Escape(fixture.Issuer)));
        await page.Locator("input[name=login]").FillAsync(person);
        await page.Locator("input[name=password]").FillAsync("any password");
        await page.Locator("button[type=submit]").First.ClickAsync();
        await page.ArrivedAtAsync(new Regex("^(?!.*/account/(oidc/|external))" + Regex.Escape(fixture.ApiUrl.ToString())));
        await page.WaitForLoadStateAsync(LoadState.Load);
        return (page, violations);
    }

    [Fact]
    public async Task Care_managers_and_administrators_sign_in_at_the_hospital_provider_and_a_role_change_there_takes_effect_at_the_next_sign_in()
    {
        fixture.People(Staff);

        // A care manager lands on the worklist, signed in (the cookie survived the provider's redirect chain), with no CSP violation.
        await using (var context = await fixture.Browser.NewContextAsync())
        {
            var (page, violations) = await SignInAsync(context, "p-care");
            Assert.True(new Uri(page.Url).AbsolutePath == "/worklist", $"landed on {page.Url}\n{fixture.ProviderOutput}");
            Assert.Contains("nurse.navigator@hospital.test", await page.Locator("header").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Empty(violations);
            await page.GotoAsync(Url("/admin/monitoring"));
            Assert.Contains("/account/denied", page.Url, StringComparison.Ordinal);

            // Signing out ends the session here and at the provider (its end-session page asks to confirm), back to sign-in.
            await page.GotoAsync(Url("/worklist"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.ArrivedAtAsync(new Regex("^" + Regex.Escape(fixture.Issuer)));
            await page.Locator("button[autofocus], button[type=submit]").First.ClickAsync();
            await page.ArrivedAtAsync(new Regex("/account/login"));
            await page.GotoAsync(Url("/worklist"));
            Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);

            // The provider's session ended too: signing in again asks for the login there, not silently in.
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with St Elsewhere" }).ClickAsync();
            await page.ArrivedAtAsync(new Regex("^" + Regex.Escape(fixture.Issuer)));
            Assert.True(await page.Locator("input[name=login]").IsVisibleAsync());
        }

        // An administrator (a provider role value with colons) reaches the admin pages.
        await using (var context = await fixture.Browser.NewContextAsync())
        {
            var (page, violations) = await SignInAsync(context, "p-admin");
            Assert.EndsWith("/worklist", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
            Assert.Empty(violations);
            var monitoring = await page.GotoAsync(Url("/admin/monitoring"));
            Assert.Equal(200, monitoring!.Status);
            Assert.EndsWith("/admin/monitoring", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        }

        // The provider withdraws the admin role and grants care management: at the next sign-in, no admin page.
        fixture.People(new(Staff) { ["p-admin"] = ("data.lead@hospital.test", ["cds-care"]) });
        await using (var context = await fixture.Browser.NewContextAsync())
        {
            var (page, _) = await SignInAsync(context, "p-admin");
            Assert.EndsWith("/worklist", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
            await page.GotoAsync(Url("/admin/monitoring"));
            Assert.Contains("/account/denied", page.Url, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_person_with_no_mapped_role_gets_a_page_that_says_so()
    {
        fixture.People(Staff);
        await using var context = await fixture.Browser.NewContextAsync();
        var (page, violations) = await SignInAsync(context, "p-none");
        Assert.Contains("/account/denied", page.Url, StringComparison.Ordinal);
        Assert.Empty(violations);
        Assert.Contains("Your hospital account has no ClinicalCds role", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await page.GotoAsync(Url("/worklist"));
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
    }
}
