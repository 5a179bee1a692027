using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Comms.ServiceDefaults;

/// <summary>
/// A warm-up step for Redis pub/sub, which every service uses (wake-ups, catalog changes, the hub's backplane): one
/// message published to a channel of this process's own (<c>comms:warm-up:&lt;guid&gt;</c>, which nothing else
/// listens to) and received back through a subscription of the same kind, then unsubscribed — so the first wake-up an
/// event sends, and the first one a dispatcher receives, find both paths compiled. Without Redis it gives up after a
/// couple of seconds (the service works without Redis anyway).
/// </summary>
public sealed class RedisPubSubWarmUp(IConnectionMultiplexer redis) : IWarmUpStep
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    public string Name => "redis-pubsub";

    /// <summary>Whether the last run received its message back (for the warm-up test).</summary>
    public bool Received { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var channel = RedisChannel.Literal("comms:warm-up:" + Guid.NewGuid().ToString("N"));
        var subscriber = redis.GetSubscriber();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = await subscriber.SubscribeAsync(channel).WaitAsync(Patience, cancellationToken);
        try
        {
            queue.OnMessage(message =>
            {
                _ = message.Message.ToString();
                received.TrySetResult();
            });
            await subscriber.PublishAsync(channel, "warm-up", CommandFlags.FireAndForget);
            await received.Task.WaitAsync(Patience, cancellationToken);
            Received = true;
        }
        finally
        {
            await queue.UnsubscribeAsync();
        }
    }
}
