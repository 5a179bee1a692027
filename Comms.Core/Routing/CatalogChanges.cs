using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Comms.Core.Routing;

/// <summary>
/// Tells every process that a tenant's routing configuration (rules, templates, categories) changed,
/// through Redis pub/sub, so each drops its cached <see cref="TenantSnapshot"/> at once. The catalog's
/// short TTL covers a lost message.
/// </summary>
public sealed class CatalogChanges(IConnectionMultiplexer redis, TenantCatalog catalog)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("comms:catalog-changed");

    /// <summary>Call after committing a change to a tenant's rules, templates or categories.</summary>
    public async Task PublishAsync(string tenantId)
    {
        catalog.Invalidate(tenantId);
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, tenantId);
        }
        catch (RedisException)
        {
            // Other processes see the change when their cache entry expires.
        }
    }
}

/// <summary>Drops this process's cached snapshot of a tenant when another process changes it.</summary>
public sealed partial class CatalogChangeListener(IConnectionMultiplexer redis, TenantCatalog catalog, ILogger<CatalogChangeListener> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var queue = await redis.GetSubscriber().SubscribeAsync(CatalogChanges.Channel);
            queue.OnMessage(message => catalog.Invalidate(message.Message.ToString()));
        }
        catch (RedisException ex)
        {
            LogSubscribeFailed(logger, ex.Message);
        }
    }

    /// <summary>
    /// Nothing to undo: the subscription ends with the connection when the process stops. (Unsubscribing
    /// here would hold shutdown for Redis's timeout whenever Redis is slow or gone.)
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Warning, "Could not subscribe to catalog changes ({Problem}); cached routing configuration expires on its own.")]
    private static partial void LogSubscribeFailed(ILogger logger, string problem);
}
