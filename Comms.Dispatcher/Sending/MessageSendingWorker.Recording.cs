using System.Diagnostics;
using Comms.Core.Diagnostics;
using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.Dispatcher.Queueing;

namespace Comms.Dispatcher.Sending;

/// <summary>The recording half of <see cref="MessageSendingWorker"/>: every outcome written fenced on its claim (sent, held, retried, fallen back or dead-lettered).</summary>
public sealed partial class MessageSendingWorker
{
    private async Task RecordSentAsync(
        List<(ClaimedMessage Message, SendOutcome Outcome)> sent, Dictionary<Guid, Activity?> spans, LeaseHeartbeat heartbeat,
        CancellationToken cancellationToken)
    {
        try
        {
            var held = await queue.MarkSentManyAsync(
                sent.Select(s => (s.Message.Claim, ((SendOutcome.Sent)s.Outcome).ProviderMessageId)).ToList(), cancellationToken);
            var now = Time.GetUtcNow();
            foreach (var (message, _) in sent)
            {
                var channelTag = new KeyValuePair<string, object?>("channel", message.Channel);
                CommsTelemetry.MessagesSent.Add(1, channelTag);
                CommsTelemetry.QueueToProvider.Record((now - message.DueAt).TotalMilliseconds, channelTag);
                if (held.Contains(message.Id))
                {
                    LogSent(Logger, message.Id, message.Channel);
                }
                else
                {
                    LeaseLost(message); // sent, but another claim took it over meanwhile (at-least-once)
                }
            }
        }
        finally
        {
            foreach (var (message, _) in sent)
            {
                spans[message.Id]?.Dispose();
                heartbeat.Done(message.Id);
            }
        }
    }


    /// <summary>Records a send's outcome: sent, retried later with backoff, or dead-lettered; then the heartbeat lets it go.</summary>
    private async Task RecordAsync(
        ClaimedMessage message, SendOutcome outcome, Activity? activity, LeaseHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        try
        {
            await RecordAsync(message, outcome, activity, cancellationToken);
        }
        finally
        {
            heartbeat.Done(message.Id);
        }
    }

    private async Task RecordAsync(ClaimedMessage message, SendOutcome outcome, Activity? activity, CancellationToken cancellationToken)
    {
        var settings = Settings;
        var channelTag = new KeyValuePair<string, object?>("channel", message.Channel);
        switch (outcome)
        {
            case SendOutcome.Sent or SendOutcome.Recorded:
                CommsTelemetry.MessagesSent.Add(1, channelTag);
                CommsTelemetry.QueueToProvider.Record((Time.GetUtcNow() - message.DueAt).TotalMilliseconds, channelTag);
                if (outcome is SendOutcome.Sent sent && !await queue.MarkSentAsync(message.Claim, sent.ProviderMessageId, cancellationToken))
                {
                    // Sent, but another claim took the message over meanwhile: it may be sent twice (at-least-once).
                    LeaseLost(message);
                    break;
                }

                LogSent(Logger, message.Id, message.Channel);
                break;
            case SendOutcome.Transient transient when transient.Infrastructure || message.Attempts < settings.MaxAttempts:
                CommsTelemetry.MessagesRetried.Add(1, channelTag);
                var retryAt = Time.GetUtcNow() + Backoff.Delay(message.Attempts, settings.RetryBaseDelay, transient.RetryAfter, ceiling: TimeSpan.FromHours(1));
                Fenced(message, await queue.RetryLaterAsync(message.Claim, retryAt, transient.Error, cancellationToken));
                LogRetry(Logger, message.Id, message.Attempts, retryAt, transient.Error);
                break;
            case SendOutcome.Transient transient:
                await GiveUpAsync(message, $"Gave up after {message.Attempts} attempts: {transient.Error}", activity, cancellationToken);
                break;
            case SendOutcome.Held held:
                CommsTelemetry.MessagesHeld.Add(1, channelTag, new KeyValuePair<string, object?>("reason", held.RecordReason ? ReasonCodes.RateLimited : "provider"));
                Fenced(message, await queue.HoldAsync(message.Claim, held.Until, held.RecordReason ? held.Reason : null, cancellationToken));
                LogHeld(Logger, message.Id, held.Until, held.Reason);
                break;
            case SendOutcome.Permanent permanent:
                await DeadLetterAsync(message, permanent.Error, activity, cancellationToken);
                break;
            case SendOutcome.LeaseLost:
                LeaseLost(message);
                break;
        }
    }

    /// <summary>After the last attempt: the rule's next fallback channel for the recipient, if it has one; else dead-lettered.</summary>
    private async Task GiveUpAsync(ClaimedMessage message, string reason, Activity? activity, CancellationToken cancellationToken)
    {
        var result = await fallback.TryAsync(message, reason, cancellationToken);
        switch (result)
        {
            case null:
                await DeadLetterAsync(message, reason, activity, cancellationToken);
                break;
            case { Written: false }:
                LeaseLost(message);
                break;
            default:
                activity?.SetStatus(ActivityStatusCode.Error, reason);
                CommsTelemetry.MessagesFailed.Add(1, new KeyValuePair<string, object?>("channel", message.Channel));
                LogFellBack(Logger, message.Id, message.Channel, result.Channel ?? "none");
                break;
        }
    }

    private async Task DeadLetterAsync(ClaimedMessage message, string reason, Activity? activity, CancellationToken cancellationToken)
    {
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        if (Fenced(message, await queue.MarkFailedAsync(message.Claim, reason, cancellationToken)))
        {
            CommsTelemetry.MessagesFailed.Add(1, new KeyValuePair<string, object?>("channel", message.Channel));
            CommsTelemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>("queue", "messages"));
            LogFailed(Logger, message.Id, message.Attempts, reason);
        }
    }

    /// <summary>Passes a fenced write's result through, logging when it changed nothing.</summary>
    private bool Fenced(ClaimedMessage message, bool changed)
    {
        if (!changed)
        {
            LeaseLost(message);
        }

        return changed;
    }

    private void LeaseLost(ClaimedMessage message)
    {
        CommsTelemetry.LeasesLost.Add(1, new KeyValuePair<string, object?>("queue", "messages"));
        LogLeaseLost(Logger, message.Id);
    }

    [LoggerMessage(1, LogLevel.Debug, "Sent message {MessageId} on {Channel}")]
    private static partial void LogSent(ILogger logger, Guid messageId, string channel);

    [LoggerMessage(2, LogLevel.Warning, "Message {MessageId} attempt {Attempt} failed, retrying at {RetryAt}: {Error}")]
    private static partial void LogRetry(ILogger logger, Guid messageId, int attempt, DateTimeOffset retryAt, string error);

    [LoggerMessage(3, LogLevel.Warning, "Message {MessageId} dead-lettered after {Attempts} attempts: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid messageId, int attempts, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Message {MessageId}: another claim took it over; this dispatcher's write changed nothing")]
    private static partial void LogLeaseLost(ILogger logger, Guid messageId);

    [LoggerMessage(7, LogLevel.Debug, "Message {MessageId} held until {Until}: {Reason}")]
    private static partial void LogHeld(ILogger logger, Guid messageId, DateTimeOffset until, string reason);

    [LoggerMessage(8, LogLevel.Warning, "Message {MessageId} on {Channel} failed after its attempts; the rule's fallback: {Fallback}")]
    private static partial void LogFellBack(ILogger logger, Guid messageId, string channel, string fallback);
}
