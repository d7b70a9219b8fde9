using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ClinicalCds.BrowserTests;

/// <summary>
/// Waiting for the browser to arrive at a page by polling its address, not by catching the navigation: the client's
/// <c>WaitForURLAsync</c> checks the address and then listens for the next navigation, and a redirect committed between
/// the two (a sign-in's POST → 302 → /worklist under load) is never heard — the page sits at /worklist, rendered, while
/// the wait runs out.
/// </summary>
internal static class PageArrival
{
    /// <summary>Until the page's address matches <paramref name="url"/> and its document is parsed.</summary>
    public static async Task ArrivedAtAsync(this IPage page, Regex url, float timeout = 30_000)
    {
        await Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = timeout });
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded, new() { Timeout = timeout });
    }
}
