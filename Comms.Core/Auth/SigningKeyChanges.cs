using Comms.Core.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Comms.Core.Auth;

/// <summary>
/// Tells every process that a tenant's signing keys changed, over the existing catalog-change channel
/// (<see cref="CatalogChanges.Channel"/>: a message names a tenant whose configuration changed), so a
/// revocation is refused everywhere at once; <see cref="TenantSigningKeys.Ttl"/> covers a lost message.
/// </summary>
public sealed class SigningKeyChanges(IConnectionMultiplexer redis, TenantSigningKeys keys)
{
    /// <summary>Call after committing a change to a tenant's signing keys.</summary>
    public async Task PublishAsync(string tenantId)
    {
        keys.Invalidate(tenantId);
        try
        {
            // Fire-and-forget: a revocation that has committed never waits on (or fails with) a slow Redis.
            await redis.GetSubscriber().PublishAsync(CatalogChanges.Channel, tenantId, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Other processes drop the keys when their cache entry expires.
        }
    }
}

/// <summary>Drops this process's cached keys of a tenant when another process announces a change.</summary>
public sealed partial class SigningKeyChangeListener(IConnectionMultiplexer redis, TenantSigningKeys keys, ILogger<SigningKeyChangeListener> logger)
    : IHostedService
{
    private ChannelMessageQueue? _queue;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Fire-and-forget: a start while Redis is away does not wait for it; the multiplexer subscribes on connect.
            _queue = await redis.GetSubscriber().SubscribeAsync(CatalogChanges.Channel, CommandFlags.FireAndForget);
            _queue.OnMessage(message => keys.Invalidate(message.Message.ToString()));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogSubscribeFailed(logger, ex.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_queue is null)
        {
            return;
        }

        try
        {
            await _queue.UnsubscribeAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Stopping never fails: the multiplexer goes with the host anyway (StackExchange.Redis can throw here when
            // another queue of the same channel unsubscribes at the same moment).
            LogUnsubscribeFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(2, LogLevel.Debug, "Unsubscribing from catalog changes failed on stop ({Problem}).")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string problem);

    [LoggerMessage(1, LogLevel.Warning, "Could not subscribe to catalog changes ({Problem}); cached signing keys expire on their own.")]
    private static partial void LogSubscribeFailed(ILogger logger, string problem);
}
