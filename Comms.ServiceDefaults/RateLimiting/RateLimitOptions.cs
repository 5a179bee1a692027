using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Comms.ServiceDefaults.RateLimiting;

/// <summary>
/// Request rate limits (<c>Comms:RateLimits</c>), counted in Redis so every replica shares one budget.
/// Each rule is a fixed window: <see cref="RateLimitRule.PermitLimit"/> requests per <see cref="RateLimitRule.Window"/>.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Comms:RateLimits";

    /// <summary>Off switch (e.g. for benchmarks); limits are on by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Prefix of the Redis keys; deployments sharing one Redis give each its own.</summary>
    [Required, RegularExpression("^[A-Za-z0-9:_.-]{1,64}$")]
    public string KeyPrefix { get; set; } = "comms:rl";

    /// <summary>How long a limit check may wait for Redis before the request is let through (fail open).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After Redis failed, how long checks are skipped (let through) before Redis is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RedisRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>/v1</c>: per API key.</summary>
    [Required, ValidateObjectMembers]
    public RateLimitRule ApiKey { get; set; } = new() { PermitLimit = 6000 };

    /// <summary><c>/me</c> and the SignalR hub: per end user (tenant + subject).</summary>
    [Required, ValidateObjectMembers]
    public RateLimitRule User { get; set; } = new() { PermitLimit = 600 };

    /// <summary><c>/sys</c>: per client address.</summary>
    [Required, ValidateObjectMembers]
    public RateLimitRule Sys { get; set; } = new() { PermitLimit = 300 };

    /// <summary>Sign-in and session start (the Web's <c>/session</c>): per client address.</summary>
    [Required, ValidateObjectMembers]
    public RateLimitRule SignIn { get; set; } = new() { PermitLimit = 60 };

    /// <summary>Failed API key authentications per client address; past it, the address is refused (429) before any key lookup.</summary>
    [Required, ValidateObjectMembers]
    public RateLimitRule FailedAuth { get; set; } = new() { PermitLimit = 30 };

    /// <summary>Per-tenant plans (a tenant's <c>plan</c>): each may override the API key and user limits.</summary>
    public Dictionary<string, RateLimitPlan> Plans { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The API key rule of a tenant on <paramref name="plan"/> (the default when it has none or an unknown one).</summary>
    public RateLimitRule ApiKeyFor(string? plan) => PlanOf(plan)?.ApiKey ?? ApiKey;

    /// <summary>The end-user rule of a tenant on <paramref name="plan"/>.</summary>
    public RateLimitRule UserFor(string? plan) => PlanOf(plan)?.User ?? User;

    private RateLimitPlan? PlanOf(string? plan) => plan is null ? null : Plans.GetValueOrDefault(plan);

    /// <summary>The first rule (by its configuration key) that cannot work, or null.</summary>
    public string? InvalidRule()
    {
        var rules = new (string Key, RateLimitRule? Rule)[]
            {
                (nameof(ApiKey), ApiKey), (nameof(User), User), (nameof(Sys), Sys), (nameof(SignIn), SignIn), (nameof(FailedAuth), FailedAuth),
            }
            .Concat(Plans.SelectMany(p => new (string Key, RateLimitRule? Rule)[] { ($"Plans:{p.Key}:ApiKey", p.Value.ApiKey), ($"Plans:{p.Key}:User", p.Value.User) }));
        return rules.FirstOrDefault(r => r.Rule is { } rule && (rule.PermitLimit < 1 || rule.Window < TimeSpan.FromSeconds(1))).Key;
    }
}

/// <summary>A fixed window: at most <see cref="PermitLimit"/> requests per <see cref="Window"/>.</summary>
public sealed class RateLimitRule
{
    [Range(1, 10_000_000)]
    public int PermitLimit { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>A plan's overrides; a rule left out keeps the default.</summary>
public sealed class RateLimitPlan
{
    [ValidateObjectMembers]
    public RateLimitRule? ApiKey { get; set; }

    [ValidateObjectMembers]
    public RateLimitRule? User { get; set; }
}
