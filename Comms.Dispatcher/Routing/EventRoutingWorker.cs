using Comms.Core.Diagnostics;
using Comms.Core.Events;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.Dispatcher.InApp;
using Comms.Dispatcher.Queueing;
using Comms.Dispatcher.Throttling;
using Comms.Realtime;
using Comms.Dispatcher.Sending;
using Comms.ServiceDefaults.Availability;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Routing;

/// <summary>
/// Claims due events (leased, <c>FOR UPDATE SKIP LOCKED</c>, fenced on a claim token) and routes them into
/// messages, under a lease heartbeat so a long audience keeps its lease. Woken by the API through Redis; polls
/// slowly as a safety net and sleeps until the next event is due or a lease ends. An event that fails is retried
/// with backoff and dead-lettered (<c>failed</c>, its reason in <c>error</c>) after <c>MaxAttempts</c>, alone.
/// </summary>
public sealed partial class EventRoutingWorker(
    EventQueue queue,
    EventRouter router,
    BatchRouter batchRouter,
    LivePushes pushes,
    IOptionsMonitor<SendLimitOptions> limits,
    DispatcherSignals signals,
    DispatcherIdentity identity,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<EventRoutingWorker> logger) : QueueWorker(WakeUps.Events, signals, options, time, logger)
{
    private static readonly KeyValuePair<string, object?> QueueTag = new("queue", "events");

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var batch = await queue.ClaimAsync(identity.Id, Settings.EventBatchSize, Settings.EventLease, cancellationToken);
        if (batch.Count == 0)
        {
            return false;
        }

        await using var heartbeat = LeaseHeartbeat.Start(
            batch.Select(e => e.Claim), queue.ExtendLeasesAsync, Settings.EventLease, Topic, Time, Logger, cancellationToken);
        IReadOnlyList<EventRecord> rest = batch;
        if (batch.Count > 1 || Settings.InlineInApp)
        {
            try
            {
                var routing = await batchRouter.RouteAsync(batch, Settings.InlineInApp ? InlineInApp : null, cancellationToken);
                rest = routing.Rest;
                if (routing.Delivered is { } delivered)
                {
                    Delivered(delivered);
                }

                foreach (var routed in batch.Except(rest))
                {
                    heartbeat.Done(routed.Id);
                }

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
            async (ev, ct) =>
            {
                try
                {
                    await RouteOneAsync(ev, Settings, ct);
                }
                finally
                {
                    heartbeat.Done(ev.Id);
                }
            });
        return true;
    }

    /// <summary>In-app messages are delivered in the routing transaction unless the tenant's plan limits in-app sends (the sender's bucket then admits them).</summary>
    private bool InlineInApp(TenantSnapshot snapshot) => limits.CurrentValue.PerSecond(snapshot.Tenant.Plan, Channel.InApp) is null;

    /// <summary>After the commit: the live pushes and the send metrics of the in-app items delivered inline.</summary>
    private void Delivered(InboxDelivery delivery)
    {
        InAppSender.Push(pushes, delivery);
        var now = Time.GetUtcNow();
        var channelTag = new KeyValuePair<string, object?>("channel", Channel.InApp);
        foreach (var message in delivery.Finished)
        {
            CommsTelemetry.MessagesSent.Add(1, channelTag);
            CommsTelemetry.QueueToProvider.Record((now - message.DueAt).TotalMilliseconds, channelTag);
        }
    }

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => queue.NextDueAsync(cancellationToken);

    private async Task RouteOneAsync(EventRecord ev, DispatcherOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            var decisions = await router.RouteAsync(ev, stoppingToken);
            LogRouted(Logger, ev.Id, ev.Name, decisions);
        }
        catch (RoutingException ex)
        {
            await ReleaseAsync(ev, ex.Message, Time.GetUtcNow(), giveUp: true, stoppingToken);
            LogUnroutable(Logger, ev.Id, ex.Message);
        }
        catch (LeaseLostException ex)
        {
            CommsTelemetry.LeasesLost.Add(1, QueueTag);
            LogLeaseLost(Logger, ev.Id, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The database being away is no fault of the event: it waits for the database, never dead-lettered for it.
            var infrastructure = Failures.IsInfrastructure(ex);
            var giveUp = !infrastructure && ev.Attempts >= settings.MaxAttempts;
            var retryAt = Time.GetUtcNow() + Backoff.Delay(ev.Attempts, settings.RetryBaseDelay, ceiling: TimeSpan.FromMinutes(10));
            LogRoutingFailed(Logger, ev.Id, ev.Attempts, giveUp, ex);
            await ReleaseAsync(ev, ex.Message, retryAt, giveUp, stoppingToken);
        }
    }

    private async Task ReleaseAsync(EventRecord ev, string error, DateTimeOffset retryAt, bool giveUp, CancellationToken cancellationToken)
    {
        if (!await queue.ReleaseAsync(ev.Claim, error, retryAt, giveUp, cancellationToken))
        {
            CommsTelemetry.LeasesLost.Add(1, QueueTag);
            LogLeaseLost(Logger, ev.Id, "another claim took the event over; this dispatcher's write changed nothing");
        }
        else if (giveUp)
        {
            CommsTelemetry.DeadLettered.Add(1, QueueTag);
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

    [LoggerMessage(4, LogLevel.Error, "Routing event {EventId} failed (attempt {Attempt}, dead-lettered: {DeadLettered})")]
    private static partial void LogRoutingFailed(ILogger logger, Guid eventId, int attempt, bool deadLettered, Exception exception);
}
