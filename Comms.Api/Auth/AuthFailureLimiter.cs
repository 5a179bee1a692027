using System.Collections.Concurrent;
using Comms.ServiceDefaults.RateLimiting;

namespace Comms.Api.Auth;

/// <summary>
/// Limits failed authentications per client address (<c>Comms:RateLimits:FailedAuth</c>, counted in Redis
/// across replicas). Once an address has spent its budget it is refused with 429 before any key is looked
/// up — a spray of wrong keys costs the database nothing — until the window ends, even with a right key.
/// </summary>
public sealed class AuthFailureLimiter(CommsRateLimiters limiters, TimeProvider time)
{
    private const int MaxTrackedAddresses = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _blocked = new(StringComparer.Ordinal);

    /// <summary>How long <paramref name="address"/> is still refused, or null when it may try.</summary>
    public TimeSpan? Blocked(string address)
    {
        if (!_blocked.TryGetValue(address, out var until))
        {
            return null;
        }

        var left = until - time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            return left;
        }

        _blocked.TryRemove(address, out _);
        return null;
    }

    /// <summary>Counts a failure; returns how long the address is now refused, or null while it is within its budget.</summary>
    public async Task<TimeSpan?> FailedAsync(string address, CancellationToken cancellationToken)
    {
        var rule = limiters.Options.FailedAuth;
        using var lease = await limiters.AcquireAsync(CommsRateLimitPolicies.FailedAuth, address, rule, cancellationToken);
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata("RATELIMIT_RETRYAFTER", out var seconds) && seconds is int s and > 0
            ? TimeSpan.FromSeconds(s)
            : rule.Window;
        if (_blocked.Count >= MaxTrackedAddresses)
        {
            var now = time.GetUtcNow();
            foreach (var expired in _blocked.Where(b => b.Value <= now).Select(b => b.Key).ToList())
            {
                _blocked.TryRemove(expired, out _);
            }
        }

        _blocked[address] = time.GetUtcNow() + retryAfter;
        return retryAfter;
    }
}
