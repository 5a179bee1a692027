using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace Comms.ServiceDefaults.RateLimiting;

/// <summary>
/// Whether Redis can be asked right now. After a failure the limiters let requests through without
/// asking for <see cref="RateLimitOptions.RedisRetryAfter"/>, so an outage costs no request a timeout.
/// </summary>
public sealed class RedisLimiterCircuit(IConnectionMultiplexer redis, TimeProvider time)
{
    private long _openUntilTicks;

    public bool IsOpen => !redis.IsConnected || time.GetUtcNow().UtcTicks < Interlocked.Read(ref _openUntilTicks);

    /// <summary>Opens the circuit; true for the caller that opened it (so only one logs).</summary>
    public bool Trip(TimeSpan retryAfter)
    {
        var now = time.GetUtcNow().UtcTicks;
        var until = now + retryAfter.Ticks;
        var previous = Interlocked.Exchange(ref _openUntilTicks, until);
        return previous <= now;
    }
}

/// <summary>
/// A Redis-backed limiter that fails open: when Redis is unreachable, slow (past
/// <see cref="RateLimitOptions.RedisTimeout"/>) or errors, the request is let through and
/// <paramref name="failedOpen"/> is told (a metric and, once per outage, a warning). Availability of the
/// API outranks exact limits while Redis is away.
/// </summary>
public sealed class FailOpenRateLimiter(RateLimiter inner, RedisLimiterCircuit circuit, RateLimitOptions options, Action<Exception?> failedOpen)
    : RateLimiter
{
    private static readonly RateLimitLease Allowed = new FixedLease(acquired: true);
    private static readonly RateLimitLease NotYet = new FixedLease(acquired: false);

    public override TimeSpan? IdleDuration => inner.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => null;

    // Redis is only asked asynchronously; the rate limiting middleware then calls AcquireAsync.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => NotYet;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (circuit.IsOpen)
        {
            failedOpen(null);
            return Allowed;
        }

        try
        {
            return await inner.AcquireAsync(permitCount, cancellationToken).AsTask().WaitAsync(options.RedisTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            failedOpen(circuit.Trip(options.RedisRetryAfter) ? ex : null);
            return Allowed;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class FixedLease(bool acquired) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
