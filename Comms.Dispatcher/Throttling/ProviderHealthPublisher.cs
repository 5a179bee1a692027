using System.Globalization;
using System.Threading.Channels;
using Comms.Core.Diagnostics;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Comms.Dispatcher.Throttling;

/// <summary>
/// Publishes this dispatcher's provider health to Redis for the console (<see cref="ProviderHealthKeys"/>): every
/// <see cref="ThrottlingOptions.HealthPublishInterval"/>, and at once when a breaker opens, half-opens or closes, one
/// batched round trip writes each breaker's state (renewing its TTL, <see cref="ThrottlingOptions.HealthTtl"/>) and adds
/// the attempts counted since (<see cref="ProviderBreaker.TakeCounts"/>) to the minute's counters. The send path never
/// waits for Redis: it only bumps in-memory counters. Redis away: the states wait for the next beat and the counts
/// are kept until they are written. On shutdown the dispatcher's entries are removed.
/// </summary>
public sealed partial class ProviderHealthPublisher(
    ProviderGuards guards, IConnectionMultiplexer redis, DispatcherIdentity identity, IOptions<ThrottlingOptions> options,
    TimeProvider time, ILogger<ProviderHealthPublisher> logger) : BackgroundService
{
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, long[]> _unwritten = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    private TimeSpan Ttl => TimeSpan.FromTicks(Math.Max(options.Value.HealthTtl.Ticks, 2 * options.Value.HealthPublishInterval.Ticks));

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        guards.BreakerChanged += OnBreakerChanged;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        guards.BreakerChanged -= OnBreakerChanged;
        await base.StopAsync(cancellationToken);
        try
        {
            await RetireAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // Stopping never throws: when the host stops, the Redis connection (or its tracing hook) may already be gone;
            // the entries then expire with their TTL.
            LogRetireFailed(logger, ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PublishAsync(stoppingToken);
                if (failing)
                {
                    failing = false;
                    LogPublishResumed(logger);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                if (!failing)
                {
                    // Once per outage, not once per beat.
                    failing = true;
                    LogPublishFailed(logger, ex.Message);
                }
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var changed = _changes.Reader.WaitToReadAsync(wait.Token).AsTask();
            var beat = Task.Delay(options.Value.HealthPublishInterval, time, wait.Token);
            await Task.WhenAny(changed, beat);
            await wait.CancelAsync();
            _changes.Reader.TryRead(out _);
        }
    }

    /// <summary>One publication: every breaker's state (TTL renewed) and the counts since the last one, in one batch.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var ttl = Ttl;
            var db = redis.GetDatabase();
            var batch = db.CreateBatch();
            var writes = new List<Task>();
            foreach (var breaker in guards.Breakers)
            {
                var key = ProviderHealthKeys.Breaker(identity.Id, breaker.Provider, breaker.Target);
                writes.Add(batch.HashSetAsync(key,
                [
                    new("provider", breaker.Provider), new("target", breaker.Target ?? ""), new("state", StateName(breaker.State)),
                    new("since", breaker.Since.ToString("O", CultureInfo.InvariantCulture)), new("lastFailure", breaker.LastFailure ?? ""),
                    new("dispatcher", identity.Id), new("updated", now.ToString("O", CultureInfo.InvariantCulture)),
                ]));
                writes.Add(batch.KeyExpireAsync(key, ttl));
                writes.Add(batch.SortedSetAddAsync(ProviderHealthKeys.BreakerIndex, key, (now + ttl).ToUnixTimeMilliseconds()));
                Add(breaker.Provider, breaker.TakeCounts());
            }

            // Entries of dispatchers that died: their hashes expired already; the index forgets them too.
            writes.Add(batch.SortedSetRemoveRangeByScoreAsync(ProviderHealthKeys.BreakerIndex, double.NegativeInfinity, now.ToUnixTimeMilliseconds()));
            writes.Add(batch.KeyExpireAsync(ProviderHealthKeys.BreakerIndex, ttl + TimeSpan.FromMinutes(1)));
            var counted = _unwritten.Where(c => c.Value.Any(v => v != 0)).ToList();
            if (counted.Count > 0)
            {
                var minute = ProviderHealthKeys.Minute(now);
                foreach (var (provider, counts) in counted)
                {
                    for (var i = 0; i < counts.Length; i++)
                    {
                        if (counts[i] != 0)
                        {
                            writes.Add(batch.HashIncrementAsync(minute, $"{provider}:{ProviderHealthKeys.Counters[i]}", counts[i]));
                        }
                    }
                }

                writes.Add(batch.KeyExpireAsync(minute, ProviderHealthKeys.MinuteRetention));
            }

            batch.Execute();
            await Task.WhenAll(writes).WaitAsync(options.Value.RedisTimeout, time, cancellationToken);
            _unwritten.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes this dispatcher's breaker entries (after writing its last counts): it no longer sends.</summary>
    private async Task RetireAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RedisTimeout);
        var keys = guards.Breakers.Select(b => (RedisKey)ProviderHealthKeys.Breaker(identity.Id, b.Provider, b.Target)).ToArray();
        await PublishAsync(timeout.Token);
        if (keys.Length > 0)
        {
            var db = redis.GetDatabase();
            await Task.WhenAll(
                db.KeyDeleteAsync(keys),
                db.SortedSetRemoveAsync(ProviderHealthKeys.BreakerIndex, keys.Select(k => (RedisValue)(string)k!).ToArray())).WaitAsync(timeout.Token);
        }
    }

    private void Add(string provider, ProviderCounts counts)
    {
        if (counts.IsEmpty)
        {
            return;
        }

        var sum = _unwritten.TryGetValue(provider, out var known) ? known : _unwritten[provider] = new long[4];
        sum[0] += counts.Accepted;
        sum[1] += counts.Rejected;
        sum[2] += counts.Failed;
        sum[3] += counts.Held;
    }

    private void OnBreakerChanged(ProviderBreaker breaker) => _changes.Writer.TryWrite(true);

    public static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.HalfOpen => "half-open",
        _ => "open",
    };

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(20, LogLevel.Warning, "Publishing the provider health to Redis failed ({Problem}); every beat tries again, the counts are kept until written")]
    private static partial void LogPublishFailed(ILogger logger, string problem);

    [LoggerMessage(22, LogLevel.Information, "Publishing the provider health to Redis works again")]
    private static partial void LogPublishResumed(ILogger logger);

    [LoggerMessage(21, LogLevel.Information, "Removing this dispatcher's provider health entries from Redis failed ({Problem}); they expire on their own")]
    private static partial void LogRetireFailed(ILogger logger, string problem);
}
