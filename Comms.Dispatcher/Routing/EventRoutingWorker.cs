using Comms.Core.Queueing;
using Comms.Core.Events;
using Comms.Core.Routing;
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
    DispatcherSignals signals,
    DispatcherIdentity identity,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<EventRoutingWorker> logger) : BackgroundService
{
    private const int MaxRoutingAttempts = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var signal = signals.For(WakeUps.Events);
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await queue.ClaimAsync(identity.Id, settings.EventBatchSize, settings.EventLease, stoppingToken);
                await Parallel.ForEachAsync(batch,
                    new ParallelOptions { MaxDegreeOfParallelism = settings.RoutingParallelism, CancellationToken = stoppingToken },
                    async (ev, ct) => await RouteOneAsync(ev, settings, ct));

                if (batch.Count == 0)
                {
                    await IdleAsync(signal, settings, stoppingToken);
                }
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

    private async Task RouteOneAsync(EventRecord ev, DispatcherOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            var decisions = await router.RouteAsync(ev, identity.Id, stoppingToken);
            LogRouted(logger, ev.Id, ev.Name, decisions);
        }
        catch (RoutingException ex)
        {
            await queue.ReleaseAsync(ev.Id, identity.Id, ex.Message, time.GetUtcNow(), giveUp: true, stoppingToken);
            LogUnroutable(logger, ev.Id, ex.Message);
        }
        catch (LeaseLostException ex)
        {
            LogLeaseLost(logger, ev.Id, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            var giveUp = ev.Attempts >= MaxRoutingAttempts;
            var retryAt = time.GetUtcNow() + Backoff.Delay(ev.Attempts, settings.RetryBaseDelay);
            await queue.ReleaseAsync(ev.Id, identity.Id, ex.Message, retryAt, giveUp, stoppingToken);
            LogRoutingFailed(logger, ev.Id, ev.Attempts, ex);
        }
    }

    private async Task IdleAsync(WakeSignal signal, DispatcherOptions settings, CancellationToken stoppingToken)
    {
        var wait = settings.PollInterval;
        if (await queue.NextDueAsync(stoppingToken) is { } due)
        {
            var untilDue = due - time.GetUtcNow();
            wait = untilDue < TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : untilDue < wait ? untilDue : wait;
        }

        await signal.WaitAsync(wait, stoppingToken);
    }

    [LoggerMessage(1, LogLevel.Debug, "Routed event {EventId} ({EventName}): {Decisions} decisions")]
    private static partial void LogRouted(ILogger logger, Guid eventId, string eventName, int decisions);

    [LoggerMessage(2, LogLevel.Warning, "Event {EventId} cannot be routed: {Problem}")]
    private static partial void LogUnroutable(ILogger logger, Guid eventId, string problem);

    [LoggerMessage(3, LogLevel.Warning, "Event {EventId}: {Problem}")]
    private static partial void LogLeaseLost(ILogger logger, Guid eventId, string problem);

    [LoggerMessage(4, LogLevel.Error, "Routing event {EventId} failed (attempt {Attempt})")]
    private static partial void LogRoutingFailed(ILogger logger, Guid eventId, int attempt, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "The routing loop failed; retrying")]
    private static partial void LogLoopError(ILogger logger, Exception exception);
}
