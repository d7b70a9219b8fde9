using Microsoft.Playwright;

namespace ClinicalCds.BrowserTests;

/// <summary>Debian's Chromium (/usr/bin/chromium; scripts/test.sh installs it), headless, reaching out to nothing by itself.</summary>
public static class DebianChromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
}
