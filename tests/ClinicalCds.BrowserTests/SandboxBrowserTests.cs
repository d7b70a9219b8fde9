using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace ClinicalCds.BrowserTests;

/// <summary>
/// The CDS Hooks community's sandbox, a real and independent CDS client, in Chromium against the real server: it reads
/// the FHIR API from the browser, fills prefetch itself, signs its calls with its own published key, shows our card, and
/// sends feedback when a card is dismissed or a suggestion taken.
/// </summary>
public sealed class SandboxBrowserTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private const string Service = "patient-risk-summary";

    [Fact]
    public async Task The_sandbox_shows_the_patient_view_card_of_complete_prefetch_and_its_dismissal_and_taken_suggestion_are_stored()
    {
        var (patient, expected) = await PatientWithSuggestionsAsync();
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });
        // Only the two local hosts: the sandbox also asks its own public services, which a test must not reach.
        await context.RouteAsync(url => !url.StartsWith("http://127.0.0.1:", StringComparison.Ordinal), route => route.AbortAsync());
        var page = await context.NewPageAsync();

        // 1. The card the sandbox shows is the card complete prefetch gives: same summary, same risk and drivers.
        var card = await OpenAsync(page, patient);
        Assert.Equal((string)expected["summary"]!, (string)card["summary"]!);
        Assert.Equal((string)expected["detail"]!, (string)card["detail"]!);
        Assert.Equal(Labels(expected), Labels(card));
        await Assertions.Expect(page.GetByText((string)expected["summary"]!, new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByText(FirstLine(expected), new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.Equal(1, await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM cds_audit WHERE client_id = @c AND service_id = @s AND patient_id = @p AND status = 200",
            ("c", SandboxFixture.SandboxIssuer), ("s", Service), ("p", patient)));

        // 2. Dismissed with an override reason: overridden feedback with that reason, from the sandbox.
        var reason = card["overrideReasons"]!.AsArray()[0]!;
        var dismissed = page.WaitForResponseAsync(r => r.Url.EndsWith($"/cds-services/{Service}/feedback", StringComparison.Ordinal), new() { Timeout = 120_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "select dismiss reason" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = (string)reason["display"]! }).ClickAsync();
        Assert.Equal(200, (await dismissed).Status);
        Assert.Equal(1, await fixture.Database.ScalarAsync(
            """
            SELECT count(*) FROM cds_feedback f JOIN cds_cards c ON c.uuid = f.card_uuid
            WHERE f.card_uuid = @card AND f.outcome = 'overridden' AND c.outcome = 'overridden' AND f.client_id = @client
              AND f.content -> 'overrideReason' -> 'reason' ->> 'code' = @code
            """, ("card", Guid.Parse((string)card["uuid"]!)), ("client", SandboxFixture.SandboxIssuer), ("code", (string)reason["code"]!)));

        // 3. Opened again (a new hook call, a new card), a suggestion taken: accepted feedback naming that suggestion.
        var again = await OpenAsync(page, patient);
        var suggestion = again["suggestions"]!.AsArray()[0]!;
        var accepted = page.WaitForResponseAsync(r => r.Url.EndsWith($"/cds-services/{Service}/feedback", StringComparison.Ordinal), new() { Timeout = 120_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = (string)suggestion["label"]! }).ClickAsync();
        Assert.Equal(200, (await accepted).Status);
        Assert.Equal(1, await fixture.Database.ScalarAsync(
            """
            SELECT count(*) FROM cds_feedback f JOIN cds_cards c ON c.uuid = f.card_uuid
            WHERE f.card_uuid = @card AND f.outcome = 'accepted' AND c.outcome = 'accepted'
              AND f.content -> 'acceptedSuggestions' -> 0 ->> 'id' = @id
            """, ("card", Guid.Parse((string)again["uuid"]!)), ("id", (string)suggestion["uuid"]!)));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Repository.Root, "artifacts", "screenshots", "sandbox-patient-view.png"), FullPage = true });
    }

    /// <summary>Opens the sandbox's patient view and answers the card our server returned to it.</summary>
    private async Task<JsonNode> OpenAsync(IPage page, string patient)
    {
        // A loaded CI machine has taken longer than Playwright's default 30 s for the sandbox's page and its hook call.
        var call = page.WaitForResponseAsync(
            r => r.Url.EndsWith($"/cds-services/{Service}", StringComparison.Ordinal) && r.Request.Method == "POST", new() { Timeout = 120_000 });
        await page.GotoAsync(fixture.SandboxPage(patient), new() { Timeout = 120_000 });
        var response = await call;
        Assert.Equal(200, response.Status);
        var card = JsonNode.Parse(await response.TextAsync())!["cards"]!.AsArray().Single()!;
        await Assertions.Expect(page.GetByText((string)card["summary"]!, new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        return card;
    }

    /// <summary>A patient whose patient-view card, with complete prefetch, offers suggestions (a moderate or high risk).</summary>
    private async Task<(string Patient, JsonNode Card)> PatientWithSuggestionsAsync()
    {
        foreach (var id in await fixture.PatientIdsAsync())
        {
            var answer = await fixture.CallWithCompletePrefetchAsync(Service, id);
            if (answer["cards"]!.AsArray().FirstOrDefault(c => c!["suggestions"] is not null) is { } card)
            {
                return (id, card);
            }
        }

        throw new InvalidOperationException("No patient of the population has a card with suggestions.");
    }

    private static List<string> Labels(JsonNode card) => [.. card["suggestions"]!.AsArray().Select(s => (string)s!["label"]!)];

    /// <summary>The detail's first line without Markdown emphasis, as the sandbox renders it ("Estimated ... risk: 31%").</summary>
    private static string FirstLine(JsonNode card) => ((string)card["detail"]!).Split('\n')[0].Split("**", StringSplitOptions.RemoveEmptyEntries)[0];
}
