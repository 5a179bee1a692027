using System.Security.Cryptography;
using System.Text;
using Comms.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace Comms.Core.Routing;

/// <summary>
/// Dedupe keys in Redis with a TTL (SPEC S2: the same dedupe key within the window → dropped as a
/// duplicate). The key's value is the event that claimed it, so routing the same event again after a
/// crash is not mistaken for a duplicate.
/// <para>
/// <b>Fail-open</b>: if Redis is unreachable, slow (past <see cref="RedisTimeout"/>) or errors, the check lets the
/// message through and counts it (<c>comms.dedupe.failed_open</c>); the database's idempotency key still stops
/// exact repeats. After repeated failures a circuit breaker stops asking Redis for <see cref="BreakDuration"/>, so
/// an outage costs routing no waiting at all; it closes by itself when Redis answers again.
/// </para>
/// </summary>
public sealed partial class DedupeGuard
{
    public static readonly TimeSpan RedisTimeout = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<DedupeGuard> _logger;
    private readonly ResiliencePipeline _pipeline;

    public DedupeGuard(IConnectionMultiplexer redis, TimeProvider time, ILogger<DedupeGuard> logger)
    {
        (_redis, _logger) = (redis, logger);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutException>().Handle<TimeoutRejectedException>(),
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = BreakDuration,
                OnOpened = args =>
                {
                    LogCircuitOpened(_logger, BreakDuration.TotalSeconds, args.Outcome.Exception?.Message ?? "");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(RedisTimeout)
            .Build();
    }

    /// <summary>True when this event may send on this key; false when another event holds it (or true, counted, when Redis cannot say).</summary>
    public async Task<bool> TryClaimAsync(string tenantId, string renderedKey, Guid recipientId, string channel, Guid eventId, TimeSpan window)
    {
        var key = KeyFor(tenantId, renderedKey, recipientId, channel);
        var owner = eventId.ToString();
        try
        {
            return await _pipeline.ExecuteAsync(async cancellationToken =>
            {
                // StackExchange.Redis takes no cancellation token: stop waiting when the timeout strategy cancels.
                var database = _redis.GetDatabase();
                if (await database.StringSetAsync(key, owner, window, When.NotExists).WaitAsync(cancellationToken))
                {
                    return true;
                }

                return await database.StringGetAsync(key).WaitAsync(cancellationToken) == owner;
            }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or TimeoutRejectedException or BrokenCircuitException)
        {
            CommsTelemetry.DedupeFailedOpen.Add(1);
            LogFailedOpen(_logger, ex.GetType().Name);
            return true;
        }
    }

    public static RedisKey KeyFor(string tenantId, string renderedKey, Guid recipientId, string channel)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(renderedKey)))[..32];
        return $"comms:dedupe:{tenantId}:{digest}:{recipientId:N}:{channel}";
    }

    [LoggerMessage(1, LogLevel.Debug, "Dedupe check let through, Redis could not be asked ({Failure})")]
    private static partial void LogFailedOpen(ILogger logger, string failure);

    [LoggerMessage(2, LogLevel.Warning, "Redis fails dedupe checks ({Problem}); they are let through without asking for {Seconds} s (fail-open)")]
    private static partial void LogCircuitOpened(ILogger logger, double seconds, string problem);
}
