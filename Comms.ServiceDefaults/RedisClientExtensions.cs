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

        builder.Services.AddHealthChecks().AddRedis(
            sp => sp.GetRequiredService<IConnectionMultiplexer>(),
            name: connectionName, failureStatus: HealthStatus.Degraded, tags: ["ready"], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }
}
