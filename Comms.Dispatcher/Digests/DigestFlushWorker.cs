using Comms.Core.Digests;
using Comms.Core.Queueing;
using Comms.Dispatcher.Queueing;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Digests;

/// <summary>Flushes digest windows when they close; sleeps until the next one is due or a new window opens.</summary>
public sealed partial class DigestFlushWorker(
    DigestFlusher flusher,
    DispatcherSignals signals,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<DigestFlushWorker> logger) : QueueWorker(WakeUps.Digests, signals, options, time, logger)
{
    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var flushed = await flusher.FlushDueAsync(Settings.EventBatchSize, cancellationToken);
        if (flushed > 0)
        {
            LogFlushed(Logger, flushed);
        }

        return flushed > 0;
    }

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => flusher.NextDueAsync(cancellationToken);

    [LoggerMessage(1, LogLevel.Information, "Flushed {Count} digest windows")]
    private static partial void LogFlushed(ILogger logger, int count);
}
