using Comms.Core.Digests;
using Comms.Core.Queueing;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Digests;

/// <summary>Flushes digest windows when they close; sleeps until the next one is due or a new window opens.</summary>
public sealed partial class DigestFlushWorker(
    DigestFlusher flusher,
    DispatcherSignals signals,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<DigestFlushWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var signal = signals.For(WakeUps.Digests);
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var flushed = await flusher.FlushDueAsync(settings.EventBatchSize, stoppingToken);
                if (flushed > 0)
                {
                    LogFlushed(logger, flushed);
                    continue;
                }

                var wait = settings.PollInterval;
                if (await flusher.NextDueAsync(stoppingToken) is { } due)
                {
                    var untilDue = due - time.GetUtcNow();
                    wait = untilDue < TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : untilDue < wait ? untilDue : wait;
                }

                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogLoopError(logger, ex);
                await signal.WaitAsync(settings.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Flushed {Count} digest windows")]
    private static partial void LogFlushed(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "The digest loop failed; retrying")]
    private static partial void LogLoopError(ILogger logger, Exception exception);
}
