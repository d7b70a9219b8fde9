using System.Collections.Concurrent;

namespace ClinicalCds.Api.Admin;

/// <summary>
/// Failed sign-ins counted per network address and account, and per address (issue 33 item 3), instead of locking the
/// account: a stranger who knows an address can no longer lock its owner out — only their own address is slowed — and
/// the answer is the same whether the account exists or not. Beyond <see cref="PerAccount"/> failures for one account, or
/// <see cref="PerAddress"/> for any, from one address within <see cref="Window"/>, that address is refused until the
/// oldest failure leaves the window. Counted in this process: with several replicas an address gets each replica's
/// allowance, still far too few guesses for a 12-character password.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock)
{
    public const int PerAccount = 5;

    public const int PerAddress = 20;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>Keys counted at most (a bound on memory whatever the traffic); the oldest are forgotten first.</summary>
    private const int MaxKeys = 100_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    private static string AccountKey(string address, string account) => $"{address}\n{account.Trim().ToUpperInvariant()}";

    /// <summary>Whether sign-in for <paramref name="account"/> from <paramref name="address"/> is refused now.</summary>
    public bool Refused(string address, string account) =>
        Count(AccountKey(address, account)) >= PerAccount || Count(address) >= PerAddress;

    public void Failed(string address, string account)
    {
        Add(AccountKey(address, account));
        Add(address);
    }

    /// <summary>A successful sign-in clears the account's failures from that address.</summary>
    public void Succeeded(string address, string account) => _failures.TryRemove(AccountKey(address, account), out _);

    private int Count(string key)
    {
        if (!_failures.TryGetValue(key, out var times))
        {
            return 0;
        }

        lock (times)
        {
            var since = clock.GetUtcNow() - Window;
            while (times.Count > 0 && times.Peek() < since)
            {
                times.Dequeue();
            }

            return times.Count;
        }
    }

    private void Add(string key)
    {
        if (_failures.Count >= MaxKeys)
        {
            _failures.Clear();
        }

        var times = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            times.Enqueue(clock.GetUtcNow());
        }
    }
}
