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
        List<(ClaimedMessage Message, SendOutcome Outcome)> sent, Dictionary<Guid, Activity?> spans, DateTimeOffset started,
        LeaseHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        try
        {
            var held = await queue.MarkSentManyAsync(sent.Select(s =>
            {
                var attempt = Attempt(s.Outcome, started)!;
                return new SentMark(s.Message.Claim, attempt.ProviderMessageId, attempt);
            }).ToList(), cancellationToken);
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


    /// <summary>
    /// Records a send's outcome: sent, retried later with backoff, or dead-lettered, with its attempt row
    /// (<see cref="Attempt"/>) in the same statement; then the heartbeat lets it go.
    /// </summary>
    private async Task RecordAsync(
        ClaimedMessage message, SendOutcome outcome, Activity? activity, DateTimeOffset started, LeaseHeartbeat heartbeat,
        CancellationToken cancellationToken)
    {
        try
        {
            await RecordAsync(message, outcome, activity, Attempt(outcome, started), cancellationToken);
        }
        finally
        {
            heartbeat.Done(message.Id);
        }
    }

    private async Task RecordAsync(
        ClaimedMessage message, SendOutcome outcome, Activity? activity, AttemptRecord? attempt, CancellationToken cancellationToken)
    {
        var settings = Settings;
        var channelTag = new KeyValuePair<string, object?>("channel", message.Channel);
        switch (outcome)
        {
            case SendOutcome.Sent or SendOutcome.Recorded:
                CommsTelemetry.MessagesSent.Add(1, channelTag);
                CommsTelemetry.QueueToProvider.Record((Time.GetUtcNow() - message.DueAt).TotalMilliseconds, channelTag);
                if (outcome is SendOutcome.Sent && !await queue.MarkSentAsync(message.Claim, attempt!, cancellationToken))
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
                Fenced(message, await queue.RetryLaterAsync(message.Claim, retryAt, transient.Error, attempt, cancellationToken));
                LogRetry(Logger, message.Id, message.Attempts, retryAt, transient.Error);
                break;
            case SendOutcome.Transient transient:
                await GiveUpAsync(message, $"Gave up after {message.Attempts} attempts: {transient.Error}", activity, attempt, cancellationToken);
                break;
            case SendOutcome.Held held:
                CommsTelemetry.MessagesHeld.Add(1, channelTag, new KeyValuePair<string, object?>("reason", held.RecordReason ? ReasonCodes.RateLimited : "provider"));
                Fenced(message, await queue.HoldAsync(message.Claim, held.Until, held.RecordReason ? held.Reason : null, cancellationToken));
                LogHeld(Logger, message.Id, held.Until, held.Reason);
                break;
            case SendOutcome.Permanent permanent:
                await DeadLetterAsync(message, permanent.Error, activity, attempt, cancellationToken);
                break;
            case SendOutcome.LeaseLost:
                LeaseLost(message);
                break;
        }
    }

    /// <summary>After the last attempt: the rule's next fallback channel for the recipient, if it has one; else dead-lettered.</summary>
    private async Task GiveUpAsync(ClaimedMessage message, string reason, Activity? activity, AttemptRecord? attempt, CancellationToken cancellationToken)
    {
        var result = await fallback.TryAsync(message, reason, attempt, cancellationToken);
        switch (result)
        {
            case null:
                await DeadLetterAsync(message, reason, activity, attempt, cancellationToken);
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

    private async Task DeadLetterAsync(ClaimedMessage message, string reason, Activity? activity, AttemptRecord? attempt, CancellationToken cancellationToken)
    {
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        if (Fenced(message, await queue.MarkFailedAsync(message.Claim, reason, attempt, cancellationToken)))
        {
            CommsTelemetry.MessagesFailed.Add(1, new KeyValuePair<string, object?>("channel", message.Channel));
            CommsTelemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>("queue", "messages"));
            LogFailed(Logger, message.Id, message.Attempts, reason);
        }
    }

    /// <summary>
    /// The attempt row of an outcome: sent, transient or permanent, under the provider that handled it (the outcome's,
    /// else the sender's), with the provider's status code and safe summary and the <c>COMMS_*</c> code of a failure.
    /// None for a held message (no attempt was used), an outcome the sender recorded itself (in-app: in its own
    /// transaction), a lost lease, or a failure of our own database (no provider was involved).
    /// </summary>
    private AttemptRecord? Attempt(SendOutcome outcome, DateTimeOffset started)
    {
        var provider = outcome.Provider ?? sender.Provider;
        return outcome switch
        {
            SendOutcome.Sent sent => new AttemptRecord(provider, AttemptOutcome.Sent, started)
            {
                StatusCode = outcome.StatusCode, Response = outcome.Response ?? "accepted", ProviderMessageId = sent.ProviderMessageId,
            },
            SendOutcome.Transient { Infrastructure: false } transient => new AttemptRecord(provider, AttemptOutcome.Transient, started)
            {
                StatusCode = outcome.StatusCode, Response = outcome.Response ?? "temporary failure", ErrorCode = ErrorCodeOf(transient.Error),
            },
            SendOutcome.Permanent permanent => new AttemptRecord(provider, AttemptOutcome.Permanent, started)
            {
                StatusCode = outcome.StatusCode, Response = outcome.Response ?? "rejected", ErrorCode = ErrorCodeOf(permanent.Error),
            },
            _ => null,
        };
    }

    /// <summary>The <c>COMMS_*</c> code an error starts with (e.g. <c>COMMS_PROVIDER_REJECTED: ...</c>), else none.</summary>
    public static string? ErrorCodeOf(string error) => ErrorCode().Match(error) is { Success: true } match ? match.Value : null;

    [System.Text.RegularExpressions.GeneratedRegex("^COMMS_[A-Z0-9_]{1,57}")]
    private static partial System.Text.RegularExpressions.Regex ErrorCode();

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
