using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Throttling;

/// <summary>
/// <c>Comms:Throttling</c>: how the shared token buckets and the provider circuit breakers behave. The rates themselves
/// are <c>Comms:Providers:&lt;Name&gt;:RequestsPerSecond</c> (per provider) and <see cref="SendLimitOptions"/> (per tenant × channel).
/// </summary>
public sealed class ThrottlingOptions
{
    public const string SectionName = "Comms:Throttling";

    /// <summary>Prefix of the bucket keys in Redis; deployments sharing one Redis give each its own.</summary>
    [Required, RegularExpression("^[A-Za-z0-9:_.-]{1,64}$")]
    public string KeyPrefix { get; set; } = "comms:tb";

    /// <summary>
    /// How long a send may wait in the dispatcher for its slot in a bucket. A send whose slot is further away is not
    /// made: the message is held (back to <c>queued</c>, due when a slot is free, no attempt used). It is also how far
    /// ahead slots are reserved.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a bucket may wait for Redis; past it (or with Redis down) this replica limits on its own.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(2);

    [Required, ValidateObjectMembers]
    public BreakerOptions Breaker { get; set; } = new();

    /// <summary>
    /// How often this dispatcher publishes its breakers' states and its providers' counts to Redis
    /// (<see cref="Comms.Core.Diagnostics.ProviderHealthKeys"/>); a breaker's change is published at once besides.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HealthPublishInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a published breaker state lives without a heartbeat (at least two intervals): a dead dispatcher's entries expire.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan HealthTtl { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// <c>Comms:Throttling:Breaker</c>: one circuit breaker per provider (per target host for webhooks) in each dispatcher.
/// It opens when, within <see cref="SamplingDuration"/>, at least <see cref="MinimumThroughput"/> requests were made and
/// <see cref="FailureRatio"/> of them failed transiently (5xx, 408, timeouts, connection errors — never a 4xx rejecting
/// one message, nor a 429); it lets one probe through after <see cref="BreakDuration"/> and closes when that succeeds.
/// </summary>
public sealed class BreakerOptions
{
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    [Range(2, 100_000)]
    public int MinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// <c>Comms:Limits</c> (the sending part): messages per second per tenant × channel, shared by every dispatcher replica.
/// <see cref="Channels"/> are the defaults (<c>Comms:Limits:Channels:email=50</c>); a tenant on a plan (<c>Tenant.Plan</c>,
/// the plan names of <c>Comms:RateLimits:Plans</c>) gets <c>Comms:Limits:Plans:&lt;plan&gt;:Channels:&lt;channel&gt;</c> instead.
/// A channel with no rate is not limited per tenant.
/// </summary>
public sealed class SendLimitOptions
{
    public const string SectionName = "Comms:Limits";

    public Dictionary<string, double> Channels { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, SendLimitPlan> Plans { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Messages per second for a tenant on <paramref name="plan"/> on <paramref name="channel"/>; null = unlimited.</summary>
    public double? PerSecond(string? plan, string channel)
    {
        if (plan is not null && Plans.TryGetValue(plan, out var overrides) && overrides.Channels.TryGetValue(channel, out var planned))
        {
            return planned > 0 ? planned : null;
        }

        return Channels.TryGetValue(channel, out var rate) && rate > 0 ? rate : null;
    }
}

public sealed class SendLimitPlan
{
    public Dictionary<string, double> Channels { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
