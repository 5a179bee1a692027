using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Comms.Core.Routing;

/// <summary>
/// Tells every process that a tenant's routing configuration (rules, templates, categories) changed,
/// through Redis pub/sub, so each drops its cached <see cref="TenantSnapshot"/> at once. The message is
/// only a shortcut: a lost one (Redis down or reconnecting) is covered by the catalog version that
/// <see cref="TenantCatalog"/> checks in the database. Publishing is fire-and-forget, so a write never waits on Redis.
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
            await redis.GetSubscriber().PublishAsync(Channel, tenantId, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Other processes see the change at their next catalog version check.
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
            // Fire-and-forget: a start while Redis is away does not wait for it; the multiplexer subscribes on connect.
            var queue = await redis.GetSubscriber().SubscribeAsync(CatalogChanges.Channel, CommandFlags.FireAndForget);
            queue.OnMessage(message => catalog.Invalidate(message.Message.ToString()));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogSubscribeFailed(logger, ex.Message);
        }
    }

    /// <summary>
    /// Nothing to undo: the subscription ends with the connection when the process stops. (Unsubscribing
    /// here would hold shutdown for Redis's timeout whenever Redis is slow or gone.)
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Warning, "Could not subscribe to catalog changes ({Problem}); the catalog version check keeps cached routing configuration current.")]
    private static partial void LogSubscribeFailed(ILogger logger, string problem);
}
