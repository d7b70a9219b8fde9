using System.Text.RegularExpressions;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClinicalCds.BrowserTests;

/// <summary>Debian Chromium, driven by Playwright, against the real server and PostgreSQL with a scored population.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public ScoringServerFixture Server { get; } = new();
    public IBrowser Browser { get; private set; } = null!;

    private IBrowser? _browser;
    private IPlaywright? _playwright;

    /// <summary>Screenshots land here (artifacts/screenshots at the repository root); the README links the copies in docs/screenshots.</summary>
    public static string Screenshots { get; } = Path.Combine(Repository.Root, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        await Server.ScoreAsync("recent-discharges");
        _playwright = await Playwright.CreateAsync();
        Browser = _browser = await DebianChromium.LaunchAsync(_playwright);
        Directory.CreateDirectory(Screenshots);
    }

    /// <summary>Whatever failed on the way up (no Chromium, a server that did not start), the server and its database go.</summary>
    public async Task DisposeAsync()
    {
        try
        {
            if (_browser is not null)
            {
                await _browser.DisposeAsync();
            }

            _playwright?.Dispose();
        }
        finally
        {
            await Server.DisposeAsync();
        }
    }
}

public sealed class WorklistBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private string Url(string path) => new Uri(fixture.Server.BaseUrl, path).ToString();

    private async Task<IPage> SignedInAsync(string email, IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/account/login"));
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(ScoringServerFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.ArrivedAtAsync(new Regex("/worklist"), timeout: 120_000);
        }
        catch (TimeoutException e)
        {
            // Say where the browser stayed and what the page said, so a failed sign-in can be told from a slow page.
            var said = await page.Locator("main").InnerTextAsync(new() { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(no main)", TaskScheduler.Default);
            throw new TimeoutException($"{email} was not at /worklist after signing in: at {page.Url}, the page said: {said}", e);
        }

        return page;
    }

    [Fact]
    public async Task A_care_manager_signs_in_filters_opens_a_patient_reads_its_factors_marks_it_reviewed_and_signs_out()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await SignedInAsync(ScoringServerFixture.CareManager, context);

        // Filter to the high and moderate tiers: every row shown is in one of them.
        await page.GetByLabel("high").CheckAsync();
        await page.GetByLabel("moderate").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.ArrivedAtAsync(new Regex("tier=high"));
        var tiers = await page.Locator("tbody .tier").AllInnerTextsAsync();
        Assert.NotEmpty(tiers);
        Assert.All(tiers, t => Assert.Contains(t, new[] { "high", "moderate" }));

        // A transition-of-care row: age, stay, days since discharge, follow-up; the first factor, two more on expanding it.
        var headers = await page.Locator("thead th").AllInnerTextsAsync();
        Assert.Contains("Top factors", headers);
        Assert.Contains("Stay", headers);
        Assert.Contains("Follow-up", headers);
        var firstRow = page.Locator("tbody tr").First;
        Assert.Matches(new Regex(@"\d+ years"), await firstRow.Locator("td").Nth(0).InnerTextAsync());
        Assert.Matches(new Regex(@"(\d+ days? ago|today)"), await firstRow.Locator("td").Nth(5).InnerTextAsync());
        Assert.Contains("PCP:", await firstRow.Locator("td").Nth(6).InnerTextAsync(), StringComparison.Ordinal);
        var more = firstRow.Locator("td.factors details li");
        Assert.False(await more.First.IsVisibleAsync());
        await firstRow.Locator("td.factors summary").ClickAsync();
        Assert.Equal(2, await more.CountAsync());
        Assert.True(await more.First.IsVisibleAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "worklist.png"), FullPage = true });

        // The first (highest-risk) patient: the model's factors with the patient's values, and the published score.
        await page.Locator("tbody tr").First.Locator("a").ClickAsync();
        await page.ArrivedAtAsync(new Regex("/worklist/patients/"));
        var factors = await page.Locator("ol.factors li").AllInnerTextsAsync();
        Assert.NotEmpty(factors);
        Assert.Contains(factors, f => f.Contains("raises risk", StringComparison.Ordinal) || f.Contains("lowers risk", StringComparison.Ordinal));
        Assert.True(await page.GetByText("HOSPITAL", new() { Exact = false }).First.IsVisibleAsync());
        Assert.Equal(1, await page.Locator("svg[role=img]").CountAsync());
        // The chart beside the risk: active problems and current medications, as of the score's instant.
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "Active problems" }).IsVisibleAsync());
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "Current medications" }).IsVisibleAsync());
        // Listed, or said to be none — never an empty section.
        var problems = await page.Locator("section[aria-labelledby=problems] li").CountAsync();
        Assert.True(problems > 0 || await page.Locator("section[aria-labelledby=problems]").GetByText("None recorded as active.").IsVisibleAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "patient.png"), FullPage = true });

        // Nothing spills out of its card at a desktop width or a laptop's (issue 35 item 5): a table wider than its card
        // scrolls inside it.
        foreach (var width in new[] { 1400, 1024 })
        {
            await page.SetViewportSizeAsync(width, 900);
            var spilled = await page.EvaluateAsync<string[]>(
                """
                () => [...document.querySelectorAll('main .card')]
                    .filter(card => card.scrollWidth > card.clientWidth + 1 || card.getBoundingClientRect().right > document.querySelector('main').getBoundingClientRect().right + 1)
                    .map(card => (card.querySelector('h2')?.textContent ?? card.className) + ': ' + card.scrollWidth + ' > ' + card.clientWidth)
                """);
            Assert.True(spilled.Length == 0, $"at {width} px: {string.Join("; ", spilled)}");
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"the page scrolls sideways at {width} px");
            if (width == 1400)
            {
                // At a desktop width the recent encounters read whole, without scrolling.
                Assert.True(await page.EvaluateAsync<bool>("() => { const w = document.querySelector('#encounters').parentElement.querySelector('.table-wrap'); return w.scrollWidth <= w.clientWidth + 1; }"),
                    "the recent encounters scroll sideways at 1400 px");
            }
        }

        await page.SetViewportSizeAsync(1280, 900);

        // The review is a form post answered by a redirect: wait for it to land before reloading.
        var posted = page.WaitForResponseAsync(r => r.Request.Method == "POST");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark reviewed" }).ClickAsync();
        await posted;
        await page.WaitForLoadStateAsync(LoadState.Load);
        await page.ReloadAsync();
        Assert.Contains($"Reviewed by {ScoringServerFixture.CareManager}", await page.Locator("[id^=review-status-]").First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("reviewed (readmission)", await page.Locator("ul.history").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.ArrivedAtAsync(new Regex("/account/login"));
        await page.GotoAsync(Url("/worklist"));
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unauthenticated_visit_is_sent_to_sign_in()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/worklist?tier=high"));
        Assert.Contains("/account/login?ReturnUrl=", page.Url, StringComparison.Ordinal);
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }).IsVisibleAsync());
    }

    /// <summary>
    /// What these checks need is the document (its status, title and heading); on a loaded CI machine a first page with
    /// its subresources has taken longer than Playwright's default 30 s.
    /// </summary>
    private static readonly PageGotoOptions Document = new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 120_000 };

    [Fact]
    public async Task A_care_manager_cannot_open_the_jobs_dashboard_and_an_administrator_can()
    {
        await using (var context = await fixture.Browser.NewContextAsync())
        {
            var page = await SignedInAsync(ScoringServerFixture.CareManager, context);
            var denied = await page.GotoAsync(Url("/jobs"), Document);
            Assert.Contains("/account/denied", page.Url, StringComparison.Ordinal);
            Assert.Equal(403, denied!.Status);
            Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "No access" }).IsVisibleAsync());
        }

        await using (var context = await fixture.Browser.NewContextAsync())
        {
            var page = await SignedInAsync(ScoringServerFixture.Admin, context);
            var response = await page.GotoAsync(Url("/jobs"), Document);
            Assert.Equal(200, response!.Status);
            Assert.Contains("ClinicalCds jobs", await page.TitleAsync(), StringComparison.Ordinal);
            Assert.Equal("en", await page.Locator("html").GetAttributeAsync("lang"));
        }
    }

    [Fact]
    public async Task The_API_reference_renders_from_this_server_alone_and_offers_no_vendor_service()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await SignedInAsync(ScoringServerFixture.CareManager, context);
        // As a hospital network would: anything not from this server is blocked, and noted.
        var origin = fixture.Server.BaseUrl.GetLeftPart(UriPartial.Authority);
        var outside = new System.Collections.Concurrent.ConcurrentBag<string>();
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(origin, StringComparison.Ordinal) || route.Request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                outside.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });

        await page.GotoAsync(Url("/api/reference"), Document);
        // The reference is rendered from the OpenAPI document (issue 35 item 9): its introduction, the first group's
        // operations, and the worklist's once its group is opened.
        await page.GetByText("/admin/scoring/runs", new() { Exact = false }).First.WaitForAsync(new() { Timeout = 120_000 });
        Assert.True(await page.GetByText("GET /fhir/metadata", new() { Exact = false }).First.IsVisibleAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Open Group - Worklist" }).First.ClickAsync();
        await page.GetByText("/api/worklist", new() { Exact = false }).First.WaitForAsync(new() { Timeout = 120_000 });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 120_000 });
        var text = await page.Locator("body").InnerTextAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "api-reference.png") });

        Assert.True(outside.IsEmpty, $"requests to other hosts: {string.Join(", ", outside.Distinct())}");
        Assert.DoesNotContain("Ask AI", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Deploy", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Generate SDK", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Open API Client", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_administrator_reads_the_model_monitoring_with_its_charts_and_the_input_checks()
    {
        // Served at past instants so that outcome windows have closed by the fixture's as-of; then the nightly job's work.
        foreach (var daysBefore in new[] { 120, 90, 60 })
        {
            await fixture.Server.ScoreAsync("last-12-months", "readmission", fixture.Server.AsOf.AddDays(-daysBefore));
        }

        await using (var scope = fixture.Server.Services.CreateAsyncScope())
        {
            var mediator = scope.ServiceProvider.GetRequiredService<Mediator.IMediator>();
            await mediator.Send(new ClinicalCds.Application.Monitoring.MonitorOutcomes.MonitorOutcomesCommand(fixture.Server.AsOf));
            await mediator.Send(new ClinicalCds.Application.Monitoring.CheckInputDrift.CheckInputDriftCommand(fixture.Server.AsOf));
        }

        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await SignedInAsync(ScoringServerFixture.Admin, context);
        await page.GetByRole(AriaRole.Link, new() { Name = "Monitoring" }).ClickAsync();
        await page.ArrivedAtAsync(new Regex("/admin/monitoring"), timeout: 120_000);

        var served = Repository.ShippedModel("readmission");
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "Model monitoring" }).IsVisibleAsync());
        Assert.True(await page.GetByRole(AriaRole.Img, new() { Name = $"{served}: AUROC by month (months with at least 10 events)" }).IsVisibleAsync());
        Assert.True(await page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex($"^{Regex.Escape(served)}: calibration, ") }).IsVisibleAsync());
        var months = page.GetByRole(AriaRole.Table, new() { Name = $"{served} outcomes by month" }).Locator("tbody tr");
        Assert.True(await months.CountAsync() >= 1);
        // No headline number under the event minimum (issue 32 item 4): a month with fewer than 10 events shows its counts only.
        for (var m = 0; m < await months.CountAsync(); m++)
        {
            var cells = months.Nth(m).Locator("td");
            var events = int.Parse(await cells.Nth(3).InnerTextAsync(), System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
            var targets = int.Parse(await cells.Nth(1).InnerTextAsync(), System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(events < 10 || targets - events < 10, (await cells.Nth(5).InnerTextAsync()).Contains("not estimated", StringComparison.Ordinal));
            // Issue 32 item 4: targets scored too late to count, with the median lag of those counted.
            Assert.Matches(@"^[0-9,]+ \(([0-9.]+ h|—)\)$", await cells.Nth(4).InnerTextAsync());
        }

        // The served model's rolling-window check, alarm or not.
        Assert.Equal(1, await page.Locator("#performance li", new() { HasText = $"{served}:" }).CountAsync());
        var inputs = page.GetByRole(AriaRole.Table, new() { Name = $"{served} inputs against training" }).Locator("tbody tr");
        Assert.Equal(ClinicalCds.Domain.Features.FeatureCatalog.Features.Count, await inputs.CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "monitoring.png"), FullPage = true });

        // Care managers do not see it.
        await using var careContext = await fixture.Browser.NewContextAsync();
        var care = await SignedInAsync(ScoringServerFixture.CareManager, careContext);
        Assert.Equal(0, await care.GetByRole(AriaRole.Link, new() { Name = "Monitoring" }).CountAsync());
        Assert.Equal(403, (await care.GotoAsync(Url("/admin/monitoring"), Document))!.Status);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_slow_the_browser_and_say_the_same_for_a_missing_account()
    {
        // Issue 33 item 3: no account lockout a stranger could trigger; the address that fails is slowed instead.
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        const string victim = "locked.out@hospital.test";
        await using (var scope = fixture.Server.Services.CreateAsyncScope())
        {
            Assert.Null(await ClinicalCds.Api.Admin.AdminAuthentication.EnsureUserAsync(scope.ServiceProvider, victim, ScoringServerFixture.Password, "care-manager"));
        }

        async Task<string> TryAsync(string email, string password)
        {
            await page.GotoAsync(Url("/account/login"));
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password").FillAsync(password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            return await page.GetByRole(AriaRole.Alert).InnerTextAsync();
        }

        var real = new List<string>();
        var missing = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            real.Add(await TryAsync(victim, "wrong password " + attempt));
            missing.Add(await TryAsync("no.such.person@hospital.test", "wrong password " + attempt));
        }

        Assert.Equal(real, missing);
        Assert.All(real, said => Assert.Contains("The email or password is not correct.", said, StringComparison.Ordinal));
        // This browser's address is slowed for that account: even the right password waits, with words that say nothing of the account.
        Assert.Contains("Too many failed sign-ins from this network", await TryAsync(victim, ScoringServerFixture.Password), StringComparison.Ordinal);
    }
}
