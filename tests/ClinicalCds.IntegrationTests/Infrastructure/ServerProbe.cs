namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>Waits for a server process started by a test to answer.</summary>
public static class ServerProbe
{
    /// <summary>Until GET /health/live answers 200; fails the test with the process's output if it exits or takes too long.</summary>
    public static async Task WaitUntilLiveAsync(Uri baseUrl, Func<bool> hasExited, Func<string> output, int seconds = 60)
    {
        using var probe = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                using var health = await probe.GetAsync("/health/live");
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline && !hasExited(), $"The server at {baseUrl} did not start: {output()}");
            await Task.Delay(250);
        }
    }
}
