using Comms.Core.Queueing;
using Comms.Core.Messages;
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
    ILogger<MessageSendingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channels = new[] { sender.Channel };
        var signal = signals.For(WakeUps.MessagesFor(sender.Channel));
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await queue.ClaimAsync(channels, identity.Id, settings.MessageBatchSize, settings.MessageLease, stoppingToken);
                if (batch.Count > 0)
                {
                    await Parallel.ForEachAsync(batch,
                        new ParallelOptions { MaxDegreeOfParallelism = settings.MaxParallelSends, CancellationToken = stoppingToken },
                        async (message, ct) => await SendOneAsync(message, settings, ct));
                    continue;
                }

                await IdleAsync(channels, signal, settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogLoopError(logger, sender.Channel, ex);
                await signal.WaitAsync(settings.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task SendOneAsync(ClaimedMessage message, DispatcherOptions settings, CancellationToken cancellationToken)
    {
        if (message.EscalationOf is not null && message.EscalationSatisfied)
        {
            await queue.MarkCancelledAsync(message.Id, identity.Id, "Not needed: the in-app notification was read in time.", cancellationToken);
            LogEscalationNotNeeded(logger, message.Id);
            return;
        }

        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(message, identity.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = new SendOutcome.Transient(ex.Message);
        }

        switch (outcome)
        {
            case SendOutcome.Sent sent:
                await queue.MarkSentAsync(message.Id, identity.Id, sent.ProviderMessageId, cancellationToken);
                LogSent(logger, message.Id, message.Channel);
                break;
            case SendOutcome.Transient transient when message.Attempts < settings.MaxAttempts:
                var retryAt = time.GetUtcNow() + Backoff.Delay(message.Attempts, settings.RetryBaseDelay, transient.RetryAfter);
                await queue.RetryLaterAsync(message.Id, identity.Id, retryAt, transient.Error, cancellationToken);
                LogRetry(logger, message.Id, message.Attempts, retryAt, transient.Error);
                break;
            case SendOutcome.Transient transient:
                await queue.MarkFailedAsync(message.Id, identity.Id, $"Gave up after {message.Attempts} attempts: {transient.Error}", cancellationToken);
                LogFailed(logger, message.Id, transient.Error);
                break;
            case SendOutcome.Permanent permanent:
                await queue.MarkFailedAsync(message.Id, identity.Id, permanent.Error, cancellationToken);
                LogFailed(logger, message.Id, permanent.Error);
                break;
        }
    }

    private async Task IdleAsync(string[] channels, WakeSignal signal, DispatcherOptions settings, CancellationToken stoppingToken)
    {
        var wait = settings.PollInterval;
        var nextDue = await queue.NextDueAsync(channels, stoppingToken);
        if (nextDue is { } due)
        {
            var untilDue = due - time.GetUtcNow();
            wait = untilDue < TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : untilDue < wait ? untilDue : wait;
        }

        await signal.WaitAsync(wait, stoppingToken);
    }

    [LoggerMessage(1, LogLevel.Debug, "Sent message {MessageId} on {Channel}")]
    private static partial void LogSent(ILogger logger, Guid messageId, string channel);

    [LoggerMessage(2, LogLevel.Warning, "Message {MessageId} attempt {Attempt} failed, retrying at {RetryAt}: {Error}")]
    private static partial void LogRetry(ILogger logger, Guid messageId, int attempt, DateTimeOffset retryAt, string error);

    [LoggerMessage(3, LogLevel.Warning, "Message {MessageId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, Guid messageId, string error);

    [LoggerMessage(5, LogLevel.Debug, "Escalation {MessageId} cancelled: the in-app item was read")]
    private static partial void LogEscalationNotNeeded(ILogger logger, Guid messageId);

    [LoggerMessage(4, LogLevel.Error, "The {Channel} sending loop failed; retrying")]
    private static partial void LogLoopError(ILogger logger, string channel, Exception exception);
}
