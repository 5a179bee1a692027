using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Redis through Aspire's client integration (<c>Aspire.StackExchange.Redis</c>: the multiplexer from
/// <c>ConnectionStrings:redis</c>, settings under <c>Aspire:StackExchange:Redis</c>, traces of Redis calls).
/// Redis holds nothing that cannot be lost, so its outage makes a service <em>degraded</em>, not unhealthy:
/// <c>/health</c> says so while <c>/alive</c> stays healthy and the service keeps answering.
/// </summary>
public static class RedisClientExtensions
{
    public static TBuilder AddCommsRedis<TBuilder>(this TBuilder builder, string connectionName = "redis") where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient(connectionName,
            settings => settings.DisableHealthChecks = true,
            options =>
            {
                // Keep retrying in the background: a Redis restart must not take the service down.
                options.AbortOnConnectFail = false;
                options.ClientName ??= builder.Environment.ApplicationName;
            });

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(connectionName,
            sp => new RedisPingCheck(sp.GetRequiredService<IConnectionMultiplexer>()), HealthStatus.Degraded, ["ready"]));
        builder.Services.AddWarmUpStep<Comms.ServiceDefaults.RedisPubSubWarmUp>();
        return builder;
    }

    /// <summary>
    /// A PING that gives up after a second: a frozen Redis accepts the connection and never answers, and the PING of
    /// <c>AspNetCore.HealthChecks.Redis</c> waits the multiplexer's whole timeout (5 s), longer than probes wait.
    /// </summary>
    private sealed class RedisPingCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!redis.IsConnected)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "Redis is not connected; the service works on without it.");
            }

            try
            {
                await redis.GetDatabase().PingAsync().WaitAsync(Patience, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer; the service works on without it.", ex);
            }
        }
    }
}
