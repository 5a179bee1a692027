using Comms.Core.Diagnostics;
using Comms.Core.Queueing;
using Comms.Core.Messages;
using Comms.Dispatcher.Queueing;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Sending;

/// <summary>
/// Claims due messages of one channel and sends them through its sender, many in flight at once.
/// Transient failures go back to the queue with exponential backoff and jitter until the attempts
/// run out; then the message fails, visible and re-sendable.
/// </summary>
public sealed partial class MessageSendingWorker(
    IChannelSender sender,
    MessageQueue queue,
    DispatcherSignals signals,
    DispatcherIdentity identity,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<MessageSendingWorker> logger) : QueueWorker(WakeUps.MessagesFor(sender.Channel), signals, options, time, logger)
{
    private readonly string[] _channels = [sender.Channel];

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var batch = await queue.ClaimAsync(_channels, identity.Id, Settings.MessageBatchSize, Settings.MessageLease, cancellationToken);
        var due = new List<ClaimedMessage>(batch.Count);
        foreach (var message in batch)
        {
            if (message.EscalationOf is not null && message.EscalationSatisfied)
            {
                await queue.MarkCancelledAsync(message.Id, identity.Id, "Not needed: the in-app notification was read in time.", cancellationToken);
                LogEscalationNotNeeded(Logger, message.Id);
            }
            else
            {
                due.Add(message);
            }
        }

        if (sender is IBatchChannelSender batchSender && due.Count > 0)
        {
            var spans = due.ToDictionary(m => m.Id, StartSpan);
            IReadOnlyList<(ClaimedMessage Message, SendOutcome Outcome)> outcomes;
            try
            {
                outcomes = await batchSender.SendBatchAsync(due, identity.Id, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcomes = due.Select(m => (m, (SendOutcome)new SendOutcome.Transient(ex.Message))).ToList();
            }

            foreach (var (message, outcome) in outcomes)
            {
                using var span = spans[message.Id];
                await RecordAsync(message, outcome, span, cancellationToken);
            }
        }
        else
        {
            await Parallel.ForEachAsync(due,
                new ParallelOptions { MaxDegreeOfParallelism = Settings.MaxParallelSends, CancellationToken = cancellationToken },
                async (message, ct) => await SendOneAsync(message, ct));
        }

        return batch.Count > 0;
    }

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => queue.NextDueAsync(_channels, cancellationToken);

    private async Task SendOneAsync(ClaimedMessage message, CancellationToken cancellationToken)
    {
        using var span = StartSpan(message);
        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(message, identity.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = new SendOutcome.Transient(ex.Message);
        }

        await RecordAsync(message, outcome, span, cancellationToken);
    }

    private static System.Diagnostics.Activity? StartSpan(ClaimedMessage message)
    {
        var activity = CommsTelemetry.StartActivity("send " + message.Channel, message.TraceParent, System.Diagnostics.ActivityKind.Producer);
        activity?.SetTag("comms.message.id", message.Id);
        activity?.SetTag("comms.channel", message.Channel);
        activity?.SetTag("comms.template", message.TemplateName);
        return activity;
    }

    /// <summary>Records a send's outcome: sent, retried later with backoff, or failed for good.</summary>
    private async Task RecordAsync(ClaimedMessage message, SendOutcome outcome, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        var settings = Settings;
        var channelTag = new KeyValuePair<string, object?>("channel", message.Channel);
        switch (outcome)
        {
            case SendOutcome.Sent or SendOutcome.Recorded:
                CommsTelemetry.MessagesSent.Add(1, channelTag);
                CommsTelemetry.QueueToProvider.Record((Time.GetUtcNow() - message.DueAt).TotalMilliseconds, channelTag);
                if (outcome is SendOutcome.Sent sent)
                {
                    await queue.MarkSentAsync(message.Id, identity.Id, sent.ProviderMessageId, cancellationToken);
                }

                LogSent(Logger, message.Id, message.Channel);
                break;
            case SendOutcome.Transient transient when message.Attempts < settings.MaxAttempts:
                CommsTelemetry.MessagesRetried.Add(1, channelTag);
                var retryAt = Time.GetUtcNow() + Backoff.Delay(message.Attempts, settings.RetryBaseDelay, transient.RetryAfter);
                await queue.RetryLaterAsync(message.Id, identity.Id, retryAt, transient.Error, cancellationToken);
                LogRetry(Logger, message.Id, message.Attempts, retryAt, transient.Error);
                break;
            case SendOutcome.Transient transient:
                CommsTelemetry.MessagesFailed.Add(1, channelTag);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, transient.Error);
                await queue.MarkFailedAsync(message.Id, identity.Id, $"Gave up after {message.Attempts} attempts: {transient.Error}", cancellationToken);
                LogFailed(Logger, message.Id, transient.Error);
                break;
            case SendOutcome.Permanent permanent:
                CommsTelemetry.MessagesFailed.Add(1, channelTag);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, permanent.Error);
                await queue.MarkFailedAsync(message.Id, identity.Id, permanent.Error, cancellationToken);
                LogFailed(Logger, message.Id, permanent.Error);
                break;
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Sent message {MessageId} on {Channel}")]
    private static partial void LogSent(ILogger logger, Guid messageId, string channel);

    [LoggerMessage(2, LogLevel.Warning, "Message {MessageId} attempt {Attempt} failed, retrying at {RetryAt}: {Error}")]
    private static partial void LogRetry(ILogger logger, Guid messageId, int attempt, DateTimeOffset retryAt, string error);

    [LoggerMessage(3, LogLevel.Warning, "Message {MessageId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, Guid messageId, string error);

    [LoggerMessage(5, LogLevel.Debug, "Escalation {MessageId} cancelled: the in-app item was read")]
    private static partial void LogEscalationNotNeeded(ILogger logger, Guid messageId);
}
