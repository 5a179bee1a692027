using Comms.ServiceDefaults.RateLimiting;
using Microsoft.Extensions.Caching.Memory;

namespace Comms.Api.Auth;

/// <summary>
/// Limits failed authentications per client address (<c>Comms:RateLimits:FailedAuth</c>, counted in Redis
/// across replicas). Once an address has spent its budget it is refused with 429 before any key is looked
/// up — a spray of wrong keys costs the database nothing — until the window ends, even with a right key.
/// The blocked addresses are held in a bounded cache (<see cref="MaxTrackedAddresses"/>), each until its block ends.
/// </summary>
public sealed class AuthFailureLimiter(CommsRateLimiters limiters, TimeProvider time) : IDisposable
{
    public const int MaxTrackedAddresses = 10_000;
    private readonly MemoryCache _blocked = new(new MemoryCacheOptions { SizeLimit = MaxTrackedAddresses });

    /// <summary>How long <paramref name="address"/> is still refused, or null when it may try.</summary>
    public TimeSpan? Blocked(string address)
    {
        if (!_blocked.TryGetValue(address, out DateTimeOffset until))
        {
            return null;
        }

        var left = until - time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            return left;
        }

        _blocked.Remove(address);
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
        _blocked.Set(address, time.GetUtcNow() + retryAfter, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = retryAfter });
        return retryAfter;
    }

    public void Dispose() => _blocked.Dispose();
}
