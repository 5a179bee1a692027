using Comms.Core.Queueing;
using Comms.Core.Events;
using Comms.Core.Routing;
using Comms.Dispatcher.Queueing;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Routing;

/// <summary>
/// Claims due events (leased, <c>FOR UPDATE SKIP LOCKED</c>) and routes them into messages. Woken by
/// the API through Redis; polls slowly as a safety net and sleeps until the next delayed event is due.
/// </summary>
public sealed partial class EventRoutingWorker(
    EventQueue queue,
    EventRouter router,
    BatchRouter batchRouter,
    DispatcherSignals signals,
    DispatcherIdentity identity,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<EventRoutingWorker> logger) : QueueWorker(WakeUps.Events, signals, options, time, logger)
{
    private const int MaxRoutingAttempts = 10;

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var batch = await queue.ClaimAsync(identity.Id, Settings.EventBatchSize, Settings.EventLease, cancellationToken);
        var rest = batch;
        if (batch.Count > 1)
        {
            try
            {
                rest = await batchRouter.RouteAsync(batch, identity.Id, cancellationToken);
                LogBatchRouted(Logger, batch.Count - rest.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Nothing of the batch was written: every event is routed on its own, where its own error is handled.
                LogBatchFailed(Logger, batch.Count, ex.Message);
            }
        }

        await Parallel.ForEachAsync(rest,
            new ParallelOptions { MaxDegreeOfParallelism = Settings.RoutingParallelism, CancellationToken = cancellationToken },
            async (ev, ct) => await RouteOneAsync(ev, Settings, ct));
        return batch.Count > 0;
    }

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => queue.NextDueAsync(cancellationToken);

    private async Task RouteOneAsync(EventRecord ev, DispatcherOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            var decisions = await router.RouteAsync(ev, identity.Id, stoppingToken);
            LogRouted(Logger, ev.Id, ev.Name, decisions);
        }
        catch (RoutingException ex)
        {
            await queue.ReleaseAsync(ev.Id, identity.Id, ex.Message, Time.GetUtcNow(), giveUp: true, stoppingToken);
            LogUnroutable(Logger, ev.Id, ex.Message);
        }
        catch (LeaseLostException ex)
        {
            LogLeaseLost(Logger, ev.Id, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            var giveUp = ev.Attempts >= MaxRoutingAttempts;
            var retryAt = Time.GetUtcNow() + Backoff.Delay(ev.Attempts, settings.RetryBaseDelay);
            await queue.ReleaseAsync(ev.Id, identity.Id, ex.Message, retryAt, giveUp, stoppingToken);
            LogRoutingFailed(Logger, ev.Id, ev.Attempts, ex);
        }
    }

    [LoggerMessage(6, LogLevel.Debug, "Routed {Count} events in one batch")]
    private static partial void LogBatchRouted(ILogger logger, int count);

    [LoggerMessage(7, LogLevel.Warning, "Routing a batch of {Count} events together failed ({Problem}); routing them one by one")]
    private static partial void LogBatchFailed(ILogger logger, int count, string problem);

    [LoggerMessage(1, LogLevel.Debug, "Routed event {EventId} ({EventName}): {Decisions} decisions")]
    private static partial void LogRouted(ILogger logger, Guid eventId, string eventName, int decisions);

    [LoggerMessage(2, LogLevel.Warning, "Event {EventId} cannot be routed: {Problem}")]
    private static partial void LogUnroutable(ILogger logger, Guid eventId, string problem);

    [LoggerMessage(3, LogLevel.Warning, "Event {EventId}: {Problem}")]
    private static partial void LogLeaseLost(ILogger logger, Guid eventId, string problem);

    [LoggerMessage(4, LogLevel.Error, "Routing event {EventId} failed (attempt {Attempt})")]
    private static partial void LogRoutingFailed(ILogger logger, Guid eventId, int attempt, Exception exception);

}
