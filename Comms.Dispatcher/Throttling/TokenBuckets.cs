using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Comms.Dispatcher.Throttling;

/// <summary>
/// What a bucket granted: <see cref="Granted"/> consecutive slots, the j-th (0-based) starting
/// <see cref="FirstWait"/> + j × <see cref="Interval"/> from now; the next slot free after them starts <see cref="NextFree"/> from now.
/// </summary>
public readonly record struct BucketGrant(int Granted, TimeSpan FirstWait, TimeSpan Interval, TimeSpan NextFree)
{
    public TimeSpan WaitOf(int index) => FirstWait + (Interval * index) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;

    public static BucketGrant Unlimited(int count) => new(count, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
}

/// <summary>
/// Token buckets shared by every dispatcher replica, in Redis: a rate of <c>r</c> per second is a slot every 1/r s
/// (GCRA, the generic cell rate algorithm: one key per bucket holds the time the next slot becomes free, in Redis's
/// own clock). A caller reserves its slots atomically, and waits for them itself.
/// <para>
/// Why one Lua script of our own rather than <c>RedisRateLimiting</c>'s token bucket: that limiter answers "now or
/// not" from a bucket of <c>TokenLimit</c> tokens refilled per period, so (1) a full bucket lets a whole period's tokens
/// go at once — a provider counting per second then sees up to twice the rate across a second's edge — and (2) a
/// refused caller must poll, which leaves slots unused between polls, so the rate is not reached when there is work.
/// Reserving spaced slots keeps every second at the rate (no burst) and hands each slot to exactly one waiting
/// sender, whichever replica it runs in, so a busy queue runs at the configured rate; <see cref="AdmitAsync"/> (a
/// sliding window of the sends made, a second script) keeps it from going above the rate when sends wake up late.
/// </para>
/// If Redis cannot be asked (down, or slower than <see cref="ThrottlingOptions.RedisTimeout"/>), each replica limits
/// itself to the rate with an in-process bucket of the same kind until Redis answers again: sending goes on, and only
/// several replicas together may then exceed the rate (logged once per outage).
/// </summary>
public sealed partial class TokenBuckets(
    IConnectionMultiplexer redis, IOptions<ThrottlingOptions> options, TimeProvider time, ILogger<TokenBuckets> logger)
{
    // KEYS[1]: the bucket. ARGV: slot interval (µs), longest wait granted (µs), slots wanted, catch-up tolerance (µs).
    // Returns: slots granted, wait of the first (µs; negative: that much catch-up), wait of the next free slot after them (µs).
    private const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local interval = tonumber(ARGV[1])
        local max_wait = tonumber(ARGV[2])
        local wanted = tonumber(ARGV[3])
        local tolerance = tonumber(ARGV[4])
        local tat = tonumber(redis.call('GET', KEYS[1]))
        if tat == nil or tat < now then tat = now end
        local first = tat - tolerance - now
        local granted = 0
        if first <= max_wait then
          granted = math.floor((max_wait - first) / interval) + 1
          if granted > wanted then granted = wanted end
        end
        local next_tat = math.ceil(tat + granted * interval)
        if granted > 0 then
          redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.floor((next_tat - now) / 1000) + 1000)
        end
        local next_free = next_tat - tolerance - now
        if next_free < 0 then next_free = 0 end
        return { granted, string.format('%.0f', first), string.format('%.0f', next_free) }
        """;

    // KEYS[1]: the bucket's log of sends. ARGV: sends allowed per window, the window (µs), a unique member.
    // Returns 0 when this send may go now (and logs it), else how long until the oldest send leaves the window (µs).
    private const string AdmitScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        if redis.call('ZCARD', KEYS[1]) < limit then
          redis.call('ZADD', KEYS[1], now, ARGV[3])
          redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1000)
          return '0'
        end
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return string.format('%.0f', tonumber(oldest[2]) + window - now + 1)
        """;

    private readonly ConcurrentDictionary<string, LocalBucket> _local = new(StringComparer.Ordinal);
    private long _fallbackLogged;

    /// <summary>
    /// Reserves up to <paramref name="count"/> slots of the bucket <paramref name="name"/> (<paramref name="perSecond"/>),
    /// those that start within <paramref name="maxWait"/>. <paramref name="catchUp"/>: how far behind the rate a bucket
    /// that fell idle or behind (a stalled dispatcher) may catch up at once — only with <see cref="AdmitAsync"/> before
    /// each send, which keeps any second at the rate.
    /// </summary>
    public async Task<BucketGrant> ReserveAsync(
        string name, double perSecond, int count, TimeSpan maxWait, CancellationToken cancellationToken, TimeSpan catchUp = default)
    {
        if (count <= 0)
        {
            return new BucketGrant(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        }

        var intervalUs = 1_000_000.0 / perSecond;
        var key = options.Value.KeyPrefix + ":" + name;
        try
        {
            var result = (RedisResult[])(await redis.GetDatabase()
                .ScriptEvaluateAsync(Script, [key], [intervalUs.ToString("R", CultureInfo.InvariantCulture), (long)maxWait.TotalMicroseconds, count, (long)catchUp.TotalMicroseconds])
                .WaitAsync(options.Value.RedisTimeout, cancellationToken))!;
            Interlocked.Exchange(ref _fallbackLogged, 0);
            return new BucketGrant(
                (int)result[0],
                TimeSpan.FromMicroseconds(long.Parse((string)result[1]!, CultureInfo.InvariantCulture)),
                TimeSpan.FromMicroseconds(intervalUs),
                TimeSpan.FromMicroseconds(long.Parse((string)result[2]!, CultureInfo.InvariantCulture)));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            if (Interlocked.Exchange(ref _fallbackLogged, 1) == 0)
            {
                LogLocalFallback(logger, ex.GetType().Name);
            }

            return _local.GetOrAdd(key, _ => new LocalBucket()).Reserve(time.GetUtcNow(), TimeSpan.FromMicroseconds(intervalUs), count, maxWait);
        }
    }

    /// <summary>
    /// The last word before a send goes out, after waiting for its reserved slot: at most the rate in any window of
    /// one second (or of one slot, for rates under 1/s) of sends, counted in Redis's clock. Slots keep sends evenly
    /// spaced; this check catches what a stall breaks — sends that wake up late would otherwise go out together with
    /// the sends of later slots. Returns null when the send may go now, else how long until it may try again.
    /// </summary>
    public async Task<TimeSpan?> AdmitAsync(string name, double perSecond, CancellationToken cancellationToken)
    {
        var window = perSecond >= 1 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1 / perSecond);
        var limit = Math.Max(1, (long)Math.Floor(perSecond * window.TotalSeconds + 1e-9));
        try
        {
            var result = await redis.GetDatabase()
                .ScriptEvaluateAsync(AdmitScript, [options.Value.KeyPrefix + ":" + name + ":sent"], [limit, (long)window.TotalMicroseconds, Guid.NewGuid().ToString("N")])
                .WaitAsync(options.Value.RedisTimeout, cancellationToken);
            var wait = long.Parse((string)result!, CultureInfo.InvariantCulture);
            return wait <= 0 ? null : TimeSpan.FromMicroseconds(wait);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Paced by the in-process bucket meanwhile (ReserveAsync).
            return null;
        }
    }

    /// <summary>The same algorithm in this process (while Redis cannot be asked).</summary>
    private sealed class LocalBucket
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _tat;

        public BucketGrant Reserve(DateTimeOffset now, TimeSpan interval, int count, TimeSpan maxWait)
        {
            lock (_lock)
            {
                var tat = _tat < now ? now : _tat;
                var first = tat - now;
                var granted = first > maxWait ? 0 : Math.Min(count, (int)Math.Floor((maxWait - first) / interval) + 1);
                _tat = tat + (interval * granted);
                return new BucketGrant(granted, first, interval, _tat - now);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "The shared token buckets cannot reach Redis ({Problem}); this dispatcher limits its own sends to each rate until Redis answers.")]
    private static partial void LogLocalFallback(ILogger logger, string problem);
}
