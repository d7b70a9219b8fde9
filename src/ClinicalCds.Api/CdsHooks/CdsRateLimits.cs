using System.Threading.RateLimiting;
using ClinicalCds.Application.CdsHooks;

namespace ClinicalCds.Api.CdsHooks;

/// <summary>
/// Token buckets for CDS Hooks calls: one per network address, taken before a token is verified (so a flood of bad
/// tokens cannot spend the server's CPU on signatures), and one per authenticated client, taken after (so one EHR's
/// burst cannot starve another's, and a client cannot be throttled by someone forging its issuer).
/// </summary>
public sealed class CdsRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _addresses;
    private readonly PartitionedRateLimiter<string> _clients;

    public CdsRateLimits(CdsHooksOptions options)
    {
        _addresses = Create(options.AddressRequestsPerSecond, options.AddressRequestsPerSecond * 2);
        _clients = Create(options.ClientRequestsPerSecond, Math.Max(options.ClientBurst, 1));
    }

    public RateLimitLease ForAddress(string address) => _addresses.AttemptAcquire(address);

    public RateLimitLease ForClient(string client) => _clients.AttemptAcquire(client);

    private readonly Dictionary<string, long> _lastAuditedSecond = new(StringComparer.Ordinal);
    private readonly Lock _audited = new();

    /// <summary>
    /// True for the first throttled call of <paramref name="key"/> (a client or an address) in each second: throttled
    /// calls are audited at most once a second per caller, so that a flood does not become a flood of audit writes.
    /// </summary>
    public bool FirstThrottleThisSecond(string key, DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        lock (_audited)
        {
            if (_lastAuditedSecond.Count > 10_000)
            {
                foreach (var stale in _lastAuditedSecond.Where(e => e.Value < second).Select(e => e.Key).ToList())
                {
                    _lastAuditedSecond.Remove(stale);
                }
            }

            if (_lastAuditedSecond.GetValueOrDefault(key, long.MinValue) == second)
            {
                return false;
            }

            _lastAuditedSecond[key] = second;
            return true;
        }
    }

    public void Dispose()
    {
        _addresses.Dispose();
        _clients.Dispose();
    }

    private static PartitionedRateLimiter<string> Create(int perSecond, int burst) => PartitionedRateLimiter.Create<string, string>(key =>
        perSecond <= 0
            ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
}
