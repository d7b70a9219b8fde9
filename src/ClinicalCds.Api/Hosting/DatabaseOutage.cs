using System.Net.Sockets;
using Npgsql;

namespace ClinicalCds.Api.Hosting;

/// <summary>
/// A request that failed because PostgreSQL could not be reached (issue 33 item 1): answered 503 with Retry-After — an
/// OperationOutcome for API and FHIR callers, a plain page for a browser — and logged as one warning at most every
/// <see cref="LogEvery"/> with the number of requests it refused, never a stack trace per request.
/// </summary>
public sealed class DatabaseOutage(ILogger<DatabaseOutage> logger, TimeProvider clock)
{
    public const int RetryAfterSeconds = 5;

    public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private DateTimeOffset _loggedAt = DateTimeOffset.MinValue;
    private int _since;

    /// <summary>Whether <paramref name="failure"/> (or what it wraps: EF Core and Hangfire wrap Npgsql's) is the database being unreachable.</summary>
    public static bool Caused(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
                case PostgresException postgres when postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState is "57P01" or "57P02" or "57P03":
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>Counts a refused request; logs once per <see cref="LogEvery"/>.</summary>
    public void Refused()
    {
        int count;
        lock (_gate)
        {
            _since++;
            if (clock.GetUtcNow() - _loggedAt < LogEvery)
            {
                return;
            }

            (_loggedAt, count, _since) = (clock.GetUtcNow(), _since, 0);
        }

        logger.LogWarning("The database cannot be reached: {Count} requests answered 503 (Retry-After {Seconds} s) since the last report.", count, RetryAfterSeconds);
    }
}
