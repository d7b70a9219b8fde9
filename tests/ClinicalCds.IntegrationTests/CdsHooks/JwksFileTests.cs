using ClinicalCds.Infrastructure.CdsHooks;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.CdsHooks;

/// <summary>A client's JWK Set as a file: read once, looked at again at most once a second, re-read when it changed.</summary>
public sealed class JwksFileTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"clinicalcds-jwks-{Guid.NewGuid():N}.json");

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_rotated_key_file_is_read_again_after_a_second_and_not_on_every_call()
    {
        var clock = new Clock();
        var cache = new JwksCache(null!, clock);
        var first = new TestCdsClient("https://first.test/");
        var second = new TestCdsClient("https://second.test/");
        File.WriteAllText(_file, first.Jwks());

        Assert.Contains(cache.GetFileKeys(_file), k => k.KeyId == first.EcKey.KeyId);

        // Rotated on disk (a later write time): within the second the cached keys still answer…
        File.WriteAllText(_file, second.Jwks());
        File.SetLastWriteTimeUtc(_file, DateTime.UtcNow.AddMinutes(1));
        clock.Now += TimeSpan.FromMilliseconds(500);
        Assert.Contains(cache.GetFileKeys(_file), k => k.KeyId == first.EcKey.KeyId);

        // …and after it the new file does.
        clock.Now += TimeSpan.FromSeconds(1);
        var keys = cache.GetFileKeys(_file);
        Assert.Contains(keys, k => k.KeyId == second.EcKey.KeyId);
        Assert.DoesNotContain(keys, k => k.KeyId == first.EcKey.KeyId);
    }

    public void Dispose() => File.Delete(_file);
}
