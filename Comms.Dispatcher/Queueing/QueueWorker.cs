using Comms.Core.Queueing;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Queueing;

/// <summary>
/// The loop every queue worker shares: do a round of work; when there was none, sleep until the next
/// row is due, a Redis wake-up arrives, or the safety-net poll interval passes; never die on an error.
/// </summary>
public abstract partial class QueueWorker(
    string wakeTopic, DispatcherSignals signals, IOptions<DispatcherOptions> options, TimeProvider time, ILogger logger)
    : BackgroundService
{
    protected DispatcherOptions Settings => options.Value;

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    /// <summary>One round of work; true when something was done (the loop then goes again at once).</summary>
    protected abstract Task<bool> RunOnceAsync(CancellationToken cancellationToken);

    /// <summary>When the next piece of work becomes due, if any is waiting.</summary>
    protected abstract Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var signal = signals.For(wakeTopic);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(stoppingToken))
                {
                    continue;
                }

                await signal.WaitAsync(await IdleTimeAsync(stoppingToken), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogLoopError(logger, wakeTopic, ex);
                await signal.WaitAsync(Settings.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<TimeSpan> IdleTimeAsync(CancellationToken cancellationToken)
    {
        var wait = Settings.PollInterval;
        if (await NextDueAsync(cancellationToken) is { } due)
        {
            var untilDue = due - time.GetUtcNow();
            wait = untilDue < TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : untilDue < wait ? untilDue : wait;
        }

        return wait;
    }

    [LoggerMessage(100, LogLevel.Error, "The {Topic} loop failed; retrying")]
    private static partial void LogLoopError(ILogger logger, string topic, Exception exception);
}
