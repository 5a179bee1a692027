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
[Comms.ServiceDefaults.HotPath]
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
        if (Settings.ClaimByRowLock)
        {
            return await RunLockedAsync(cancellationToken);
        }

        var batch = await queue.ClaimAsync(identity.Id, Settings.EventBatchSize, Settings.EventLease, cancellationToken);
        if (batch.Count == 0)
        {
            return false;
        }

        await RouteLeasedAsync(batch, cancellationToken);
        return true;
    }

    /// <summary>
    /// A round that claims by row locks (<see cref="EventQueue.LockDueAsync"/>): the batch is routed, written and committed
    /// in the transaction that holds the events' locks, so no lease is written for them. What the batch router leaves
    /// (audiences, digests, an event whose tenant or rule is gone) or a batch that fails is rolled back and goes the leased
    /// way — leased by id, under a heartbeat, routed one by one with its own retries.
    /// </summary>
    private async Task<bool> RunLockedAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<EventRecord> rest;
        BatchRouting? routing = null;
        await using (var locked = await queue.LockDueAsync(identity.Id, Settings.EventBatchSize, Settings.EventLease, cancellationToken))
        {
            if (locked.Events.Count == 0)
            {
                return false;
            }

            try
            {
                routing = await batchRouter.RouteLockedAsync(locked, Settings.InlineInApp ? InlineInApp : null, cancellationToken);
                rest = routing.Rest;
                LogBatchRouted(Logger, locked.Events.Count - rest.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Nothing of the batch was written (its transaction is rolled back): every event is routed on its own.
                LogBatchFailed(Logger, locked.Events.Count, ex.Message);
                rest = locked.Events;
            }
        }

        if (routing?.Delivered is { } delivered)
        {
            Delivered(delivered);
        }

        if (rest.Count > 0)
        {
            var leased = await queue.ClaimByIdsAsync(rest.Select(e => e.Id).ToList(), identity.Id, Settings.EventLease, cancellationToken);
            if (leased.Count > 0)
            {
                await using var heartbeat = LeaseHeartbeat.Start(
                    leased.Select(e => e.Claim), queue.ExtendLeasesAsync, Settings.EventLease, Topic, Time, Logger, cancellationToken);
                await RouteEachAsync(leased, heartbeat, cancellationToken);
            }
        }

        return true;
    }

    private async Task RouteLeasedAsync(IReadOnlyList<EventRecord> batch, CancellationToken cancellationToken)
    {
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

        await RouteEachAsync(rest, heartbeat, cancellationToken);
    }

    private async Task RouteEachAsync(IReadOnlyList<EventRecord> rest, LeaseHeartbeat heartbeat, CancellationToken cancellationToken) =>
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
            // The send's span, continuing the event's trace, as the in-app sender would have made it.
            using (var span = CommsTelemetry.StartActivity("send " + message.Channel, message.TraceParent, System.Diagnostics.ActivityKind.Producer))
            {
                span?.SetTag("comms.message.id", message.Id);
                span?.SetTag("comms.channel", message.Channel);
                span?.SetTag("comms.template", message.TemplateName);
            }

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
