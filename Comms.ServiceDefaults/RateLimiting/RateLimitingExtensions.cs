using System.Globalization;
using System.Threading.RateLimiting;
using Comms.ServiceDefaults.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>The rate-limit policies endpoints opt into with <c>RequireRateLimiting(...)</c>.</summary>
public static class CommsRateLimitPolicies
{
    /// <summary><c>/v1</c>: per API key (claim <c>key_id</c>), with the tenant's plan.</summary>
    public const string ApiKey = "comms-api-key";

    /// <summary><c>/me</c> and the hub: per end user (claims <c>tid</c> + <c>sub</c>), with the tenant's plan.</summary>
    public const string User = "comms-user";

    /// <summary><c>/sys</c>: per client address.</summary>
    public const string Sys = "comms-sys";

    /// <summary>Sign-in and session start: per client address.</summary>
    public const string SignIn = "comms-sign-in";

    /// <summary>Failed authentications: per client address (checked by the authentication handlers).</summary>
    public const string FailedAuth = "comms-failed-auth";

    /// <summary><see cref="HttpContext.Items"/> key under which a service puts the caller's tenant plan (a string) before the limiter runs.</summary>
    public const string PlanItem = "comms.rate-limit-plan";
}

/// <summary>
/// ASP.NET Core's rate limiter over Redis (RedisRateLimiting fixed windows), shared by every replica,
/// answering 429 problem details <c>COMMS_RATE_LIMITED</c> with <c>Retry-After</c>. When Redis cannot be
/// asked the limiter fails open: requests keep working, and <paramref name="failedOpen"/> counts it.
/// </summary>
public static class RateLimitingExtensions
{
    public static IHostApplicationBuilder AddCommsRateLimiting(
        this IHostApplicationBuilder builder, Action<string>? failedOpen = null, Action<RateLimiterOptions>? configure = null)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.InvalidRule() is null, "Comms:RateLimits: every rule needs PermitLimit >= 1 and a Window of at least 1 s.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new RedisLimiterCircuit(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddSingleton(sp => new CommsRateLimiters(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<RedisLimiterCircuit>(),
            sp.GetRequiredService<IOptions<RateLimitOptions>>(), sp.GetRequiredService<ILogger<CommsRateLimiters>>())
        {
            FailedOpen = failedOpen,
        });

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, cancellationToken) =>
                new ValueTask(WriteRateLimitedAsync(context.HttpContext, RetryAfter(context.Lease), LimitOf(context.Lease)));
            options.AddPolicy(CommsRateLimitPolicies.ApiKey, http => Limiters(http).Partition(
                CommsRateLimitPolicies.ApiKey, http.User.FindFirst("key_id")?.Value ?? "ip:" + ClientAddress(http),
                Limiters(http).Options.ApiKeyFor(PlanOf(http))));
            options.AddPolicy(CommsRateLimitPolicies.User, http => Limiters(http).Partition(
                CommsRateLimitPolicies.User, UserOf(http) ?? "ip:" + ClientAddress(http), Limiters(http).Options.UserFor(PlanOf(http))));
            options.AddPolicy(CommsRateLimitPolicies.Sys, http => Limiters(http).Partition(
                CommsRateLimitPolicies.Sys, ClientAddress(http), Limiters(http).Options.Sys));
            options.AddPolicy(CommsRateLimitPolicies.SignIn, http => Limiters(http).Partition(
                CommsRateLimitPolicies.SignIn, ClientAddress(http), Limiters(http).Options.SignIn));
            configure?.Invoke(options);
        });
        return builder;
    }

    /// <summary>The caller's address as the server saw it (behind a proxy, configure forwarded headers first).</summary>
    public static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>The 429 answer: problem details <c>COMMS_RATE_LIMITED</c> and <c>Retry-After</c> in whole seconds.</summary>
    public static async Task WriteRateLimitedAsync(HttpContext http, TimeSpan retryAfter, string? limit = null)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "COMMS_RATE_LIMITED",
                Title = "Too many requests.",
                Detail = limit is null
                    ? $"The rate limit was reached; retry after {seconds} s."
                    : $"The rate limit of {limit} requests per window was reached; retry after {seconds} s.",
                Extensions = { ["retryAfterSeconds"] = seconds },
            },
        });
    }

    private static CommsRateLimiters Limiters(HttpContext http) => http.RequestServices.GetRequiredService<CommsRateLimiters>();

    private static string? PlanOf(HttpContext http) => http.Items.TryGetValue(CommsRateLimitPolicies.PlanItem, out var plan) ? plan as string : null;

    private static string? UserOf(HttpContext http) =>
        http.User.FindFirst("tid")?.Value is { } tenant && http.User.FindFirst("sub")?.Value is { } subject ? $"{tenant}/{subject}" : null;

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter
        : lease.TryGetMetadata("RATELIMIT_RETRYAFTER", out var seconds) && seconds is int s ? TimeSpan.FromSeconds(s)
        : TimeSpan.FromSeconds(1);

    private static string? LimitOf(RateLimitLease lease) =>
        lease.TryGetMetadata("RATELIMIT_LIMIT", out var limit) ? limit as string : null;
}
