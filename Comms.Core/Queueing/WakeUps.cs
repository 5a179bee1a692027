using StackExchange.Redis;

namespace Comms.Core.Queueing;

/// <summary>
/// Wake-up signals through Redis pub/sub: the API publishes <c>events</c> after it stores events, the
/// router publishes <c>messages:{channel}</c> after it queues messages, so idle dispatchers start at once
/// instead of waiting for their slow safety-net poll. Losing a signal (Redis down) only costs latency.
/// </summary>
public sealed class WakeUps(IConnectionMultiplexer redis)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("comms:wake");
    public const string Events = "events";
    public const string Digests = "digests";

    public static string MessagesFor(string channel) => "messages:" + channel;

    public async Task PublishAsync(string topic)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, topic, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Best effort: the dispatcher's poll picks the work up anyway.
        }
    }
}

/// <summary>An auto-reset signal an idle loop waits on, with a timeout.</summary>
public sealed class WakeSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            if (_semaphore.CurrentCount == 0)
            {
                _semaphore.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    /// <summary>Waits until signalled or the timeout passes; returns true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);
}
