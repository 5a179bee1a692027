using System.Collections.Concurrent;
using Comms.Core.Queueing;
using StackExchange.Redis;

namespace Comms.Dispatcher.Sending;

/// <summary>The wake-up signals of this replica, set by Redis pub/sub messages on <see cref="WakeUps.Channel"/>.</summary>
public sealed class DispatcherSignals
{
    private readonly ConcurrentDictionary<string, WakeSignal> _signals = new(StringComparer.Ordinal);

    public WakeSignal For(string topic) => _signals.GetOrAdd(topic, _ => new WakeSignal());

    public void Set(string topic) => For(topic).Set();
}

/// <summary>Subscribes to the wake-up channel for the lifetime of the service.</summary>
public sealed partial class WakeUpListener(IConnectionMultiplexer redis, DispatcherSignals signals, ILogger<WakeUpListener> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Fire-and-forget: a start while Redis is away does not wait for it; the multiplexer subscribes on connect.
            var queue = await redis.GetSubscriber().SubscribeAsync(WakeUps.Channel, CommandFlags.FireAndForget);
            queue.OnMessage(message => signals.Set(message.Message.ToString()));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Without Redis the dispatcher still works from its poll; the multiplexer resubscribes on reconnect.
            LogSubscribeFailed(logger, ex.Message);
        }
    }

    /// <summary>The subscription ends with the connection; unsubscribing would hold shutdown while Redis is slow or gone.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Warning, "Could not subscribe to wake-ups ({Problem}); relying on polling.")]
    private static partial void LogSubscribeFailed(ILogger logger, string problem);
}
