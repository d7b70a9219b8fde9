using ClinicalCds.Application.CdsHooks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClinicalCds.Infrastructure.CdsHooks;

/// <summary>
/// Keeps the JWT replay guard small, off the request path: once a minute, token ids whose token expired more than the
/// clock skew ago are forgotten (such a token fails its exp check before its id is looked up). Every API process runs
/// it; two purges at once delete disjoint or no rows, so no coordination is needed.
/// </summary>
public sealed class TokenReplayPurge(PostgresCdsStore store, CdsHooksOptions options, TimeProvider clock, ILogger<TokenReplayPurge> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            do
            {
                await PurgeAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task PurgeAsync(CancellationToken stoppingToken)
    {
        try
        {
            var forgotten = await store.ForgetTokensExpiredBeforeAsync(
                clock.GetUtcNow() - TimeSpan.FromSeconds(options.ClockSkewSeconds), stoppingToken);
            logger.LogDebug("Forgot {Count} expired CDS client token ids.", forgotten);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database may be restarting; the next round tries again and the guard keeps working meanwhile.
            logger.LogWarning("Expired CDS client token ids could not be purged: {Reason}", e.Message);
        }
    }
}
