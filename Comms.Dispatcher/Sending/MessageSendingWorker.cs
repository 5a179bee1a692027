using System.Diagnostics;
using Comms.Core.Diagnostics;
using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Comms.Dispatcher.Queueing;
using Comms.Dispatcher.Throttling;
using Comms.ServiceDefaults.Availability;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Sending;

/// <summary>
/// Claims due messages of one channel and sends them through its sender, many in flight at once, under a lease
/// heartbeat. Each message is recorded as soon as its own send ends (sent, retried later with backoff, or
/// dead-lettered after its attempts, or first re-planned on the rule's next fallback channel) — a batch is an optimisation, never a unit of failure: when a batch sender
/// fails, its messages are sent again one by one so a bad one fails alone. Every write is fenced on the claim.
/// Before sending, the tenant × channel bucket admits the batch (<see cref="TenantChannelLimits"/>); a message held by a
/// bucket or an open breaker (<see cref="SendOutcome.Held"/>, <see cref="ProviderHeldException"/>) waits without using
/// up an attempt.
/// </summary>
[Comms.ServiceDefaults.HotPath]
public sealed partial class MessageSendingWorker(
    IChannelSender sender,
    MessageQueue queue,
    TenantChannelLimits limits,
    SendFallback fallback,
    DispatcherSignals signals,
    DispatcherIdentity identity,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<MessageSendingWorker> logger) : QueueWorker(WakeUps.MessagesFor(sender.Channel), signals, options, time, logger)
{
    private readonly string[] _channels = [sender.Channel];

    /// <summary>The next round's claim, made while this round is sent (only after a full claim: more work is waiting).</summary>
    private Task<Claimed>? _next;

    /// <summary>A batch sender's rounds still in flight while the next one starts (see <see cref="RunOnceAsync"/>); only the loop touches it.</summary>
    private readonly Queue<Task> _inFlight = new();

    private sealed record Claimed(IReadOnlyList<ClaimedMessage> Batch, LeaseHeartbeat Heartbeat);

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var limit = Settings.MessageBatchSizeFor(sender.Channel);
        var claimed = await (Interlocked.Exchange(ref _next, null) ?? ClaimAsync(limit, cancellationToken));
        if (claimed.Batch.Count == 0)
        {
            await claimed.Heartbeat.DisposeAsync();
            await DrainInFlightAsync();
            return false;
        }

        if (claimed.Batch.Count >= limit)
        {
            // A full claim: more is due. The next claim (a query over thousands of rows) runs while this batch is sent,
            // instead of after it; its own heartbeat keeps its leases until its round comes.
            _next = ClaimAsync(limit, cancellationToken);
        }

        var round = RunRoundAsync(claimed, cancellationToken);
        if (sender is not IBatchChannelSender || Settings.RoundsInFlightFor(sender.Channel) < 2)
        {
            await round;
            return true;
        }

        // A batch sender's rounds overlap: this round's requests start while the previous rounds' last ones are still in
        // flight (and their outcomes are being written), so the provider's request pipe never empties between two claimed
        // batches. At most RoundsInFlight rounds run at once: this one starts, then the loop waits for the oldest.
        _inFlight.Enqueue(round);
        while (_inFlight.Count >= Settings.RoundsInFlightFor(sender.Channel))
        {
            await _inFlight.Dequeue();
        }

        return true;
    }

    /// <summary>Waits for the rounds still in flight (when rounds overlap), oldest first.</summary>
    private async Task DrainInFlightAsync()
    {
        while (_inFlight.TryDequeue(out var round))
        {
            await round;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await DrainInFlightAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException || Failures.IsInfrastructure(ex))
        {
            // Stopping: what was not recorded is claimed again once its lease ends.
        }
    }

    /// <summary>One claimed batch: escalations that are no longer needed cancelled, the tenant buckets asked, then sent and recorded.</summary>
    private async Task RunRoundAsync(Claimed claimed, CancellationToken cancellationToken)
    {
        await using var heartbeat = claimed.Heartbeat;
        var batch = claimed.Batch;
        var due = new List<ClaimedMessage>(batch.Count);
        foreach (var message in batch)
        {
            if (message.EscalationOf is not null && message.EscalationSatisfied)
            {
                Fenced(message, await queue.MarkCancelledAsync(message.Claim, "Not needed: the in-app notification was read in time.", cancellationToken));
                heartbeat.Done(message.Id);
                LogEscalationNotNeeded(Logger, message.Id);
            }
            else
            {
                due.Add(message);
            }
        }

        var admitted = new List<Admission>(due.Count);
        foreach (var admission in await limits.AdmitAsync(due, cancellationToken))
        {
            if (admission.Held is { } held)
            {
                await RecordAsync(admission.Message, held, null, Time.GetUtcNow(), heartbeat, cancellationToken);
            }
            else
            {
                admitted.Add(admission);
            }
        }

        if (sender is IBatchChannelSender batchSender && admitted.Count > 1)
        {
            // One request for the batch: it goes when the last of its tenant slots has come.
            var wait = admitted.Max(a => a.Wait);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, cancellationToken);
            }

            await SendBatchAsync(batchSender, admitted.Select(a => a.Message).ToList(), heartbeat, cancellationToken);
        }
        else
        {
            await SendEachAsync(admitted, heartbeat, cancellationToken);
        }
    }

    private async Task<Claimed> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        var batch = await queue.ClaimAsync(_channels, identity.Id, limit, Settings.MessageLease, cancellationToken);
        return new Claimed(batch, LeaseHeartbeat.Start(
            batch.Select(m => m.Claim), queue.ExtendLeasesAsync, Settings.MessageLease, Topic, Time, Logger, cancellationToken));
    }

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => queue.NextDueAsync(sender.Channel, cancellationToken);

    private async Task SendBatchAsync(IBatchChannelSender batchSender, List<ClaimedMessage> due, LeaseHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        var spans = due.ToDictionary(m => m.Id, StartSpan);
        var started = Time.GetUtcNow();
        IReadOnlyList<(ClaimedMessage Message, SendOutcome Outcome)> outcomes;
        try
        {
            outcomes = await batchSender.SendBatchAsync(due, identity.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            foreach (var span in spans.Values)
            {
                span?.Dispose();
            }

            if (ProviderHeldException.Find(ex) is { } held)
            {
                // The provider's bucket or breaker held the batch: every message of it waits, none used an attempt.
                outcomes = due.Select(m => (m, (SendOutcome)new SendOutcome.Held(held.Until, held.Reason))).ToList();
                spans = due.ToDictionary(m => m.Id, _ => (Activity?)null);
            }
            else if (Failures.IsInfrastructure(ex))
            {
                // Our database is away: splitting the batch would only fail every message again.
                outcomes = due.Select(m => (m, (SendOutcome)new SendOutcome.Transient(ex.Message) { Infrastructure = true })).ToList();
                spans = due.ToDictionary(m => m.Id, _ => (Activity?)null);
            }
            else
            {
                LogBatchSplit(Logger, due.Count, ex.Message);
                await SendEachAsync(due.Select(m => new Admission(m, TimeSpan.Zero, null)).ToList(), heartbeat, cancellationToken);
                return;
            }
        }

        // The accepted ones in one statement (a SendGrid batch is thousands: one update each would take longer than the
        // requests), then every other outcome one by one as usual.
        var sent = outcomes.Where(o => o.Outcome is SendOutcome.Sent).ToList();
        if (sent.Count > 1)
        {
            await RecordSentAsync(sent, spans, started, heartbeat, cancellationToken);
            outcomes = outcomes.Where(o => o.Outcome is not SendOutcome.Sent).ToList();
        }

        foreach (var (message, outcome) in outcomes)
        {
            using var span = spans[message.Id];
            await RecordAsync(message, outcome, span, started, heartbeat, cancellationToken);
        }
    }

    private async Task SendEachAsync(List<Admission> due, LeaseHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        using var records = new PendingRecords(Settings.MaxParallelSends * 4, cancellationToken);
        try
        {
            await Parallel.ForEachAsync(due,
                new ParallelOptions { MaxDegreeOfParallelism = Settings.MaxParallelSends, CancellationToken = records.SendsToken },
                async (admission, ct) => await SendOneAsync(admission.Message, admission.Wait, heartbeat, records, ct));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A "sent" mark failed to be written (the database away): the round stops, and the wait below rethrows why.
        }
        finally
        {
            await records.WhenAllAsync();
        }
    }

    private async Task SendOneAsync(
        ClaimedMessage message, TimeSpan wait, LeaseHeartbeat heartbeat, PendingRecords records, CancellationToken cancellationToken)
    {
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, Time, cancellationToken);
        }

        var span = StartSpan(message);
        var started = Time.GetUtcNow();
        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(message, identity.Id, cancellationToken);
        }
        catch (Exception ex) when (ProviderHeldException.Find(ex) is { } held)
        {
            outcome = new SendOutcome.Held(held.Until, held.Reason);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = new SendOutcome.Transient(ex.Message) { Infrastructure = Failures.IsInfrastructure(ex) };
        }
        catch
        {
            span?.Dispose();
            throw;
        }

        if (outcome is SendOutcome.Sent)
        {
            // Recorded at once (group-committed with the other marks), not when the batch ends — a crash re-sends only
            // what was in flight or waiting to be marked — but behind the sends: this send's slot takes the next message
            // while the mark is written. The round ends when every mark is written.
            await records.AddAsync(token => RecordAsync(message, outcome, span, started, heartbeat, token), () => span?.Dispose(), cancellationToken);
            return;
        }

        using (span)
        {
            await RecordAsync(message, outcome, span, started, heartbeat, cancellationToken);
        }
    }

    private static Activity? StartSpan(ClaimedMessage message)
    {
        var activity = CommsTelemetry.StartActivity("send " + message.Channel, message.TraceParent, ActivityKind.Producer);
        activity?.SetTag("comms.message.id", message.Id);
        activity?.SetTag("comms.channel", message.Channel);
        activity?.SetTag("comms.template", message.TemplateName);
        return activity;
    }

    [LoggerMessage(5, LogLevel.Debug, "Escalation {MessageId} cancelled: the in-app item was read")]
    private static partial void LogEscalationNotNeeded(ILogger logger, Guid messageId);

    [LoggerMessage(6, LogLevel.Warning, "Sending a batch of {Count} messages failed ({Problem}); sending them one by one so a bad one fails alone")]
    private static partial void LogBatchSplit(ILogger logger, int count, string problem);
}
