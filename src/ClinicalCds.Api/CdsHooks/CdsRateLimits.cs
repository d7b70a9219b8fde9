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
