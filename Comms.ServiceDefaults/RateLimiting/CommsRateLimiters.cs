using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Comms.ServiceDefaults.RateLimiting;

/// <summary>
/// A limiter partition: the Redis key is <c>{prefix}:{policy}:{id}</c> (so every replica counts together),
/// while the rule is part of the identity, so a tenant's new plan takes effect with a fresh limiter.
/// </summary>
public readonly record struct LimitKey(string Prefix, string Policy, string Id, int PermitLimit, TimeSpan Window)
{
    public override string ToString() => $"{Prefix}:{Policy}:{Id}";
}

/// <summary>Builds the shared, fail-open Redis limiters of every policy.</summary>
public sealed partial class CommsRateLimiters(
    IConnectionMultiplexer redis,
    RedisLimiterCircuit circuit,
    IOptions<RateLimitOptions> options,
    ILogger<CommsRateLimiters> logger)
{
    private static readonly RateLimiter Unlimited = RateLimitPartition.GetNoLimiter(0).Factory(0);

    /// <summary>Told each time a check was let through because Redis could not be asked (policy name, and the failure once per outage).</summary>
    public Action<string>? FailedOpen { get; set; }

    public RateLimitOptions Options => options.Value;

    public RateLimitPartition<LimitKey> Partition(string policy, string id, RateLimitRule rule)
    {
        var key = new LimitKey(options.Value.KeyPrefix, policy, id, rule.PermitLimit, rule.Window);
        return options.Value.Enabled
            ? RateLimitPartition.Get(key, Create)
            : RateLimitPartition.GetNoLimiter(key);
    }

    /// <summary>Takes one permit outside the middleware (e.g. per failed authentication); dispose the lease.</summary>
    public async ValueTask<RateLimitLease> AcquireAsync(string policy, string id, RateLimitRule rule, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return Unlimited.AttemptAcquire();
        }

        using var limiter = Create(new LimitKey(options.Value.KeyPrefix, policy, id, rule.PermitLimit, rule.Window));
        return await limiter.AcquireAsync(1, cancellationToken);
    }

    private FailOpenRateLimiter Create(LimitKey key)
    {
        var redisLimiter = new RedisFixedWindowRateLimiter<LimitKey>(key, new RedisFixedWindowRateLimiterOptions
        {
            PermitLimit = key.PermitLimit,
            Window = key.Window,
            ConnectionMultiplexerFactory = () => redis,
        });
        return new FailOpenRateLimiter(redisLimiter, circuit, options.Value, failure =>
        {
            if (failure is not null)
            {
                LogFailedOpen(logger, key.Policy, failure.GetType().Name, options.Value.RedisRetryAfter.TotalSeconds);
            }

            FailedOpen?.Invoke(key.Policy);
        });
    }

    [LoggerMessage(1, LogLevel.Warning,
        "Rate limiting ({Policy}) cannot reach Redis ({Failure}); requests are let through unlimited, Redis is tried again in {Seconds} s.")]
    private static partial void LogFailedOpen(ILogger logger, string policy, string failure, double seconds);
}
