using Comms.Core.Diagnostics;
using Comms.Core.Digests;
using Comms.Core.Queueing;
using Comms.Dispatcher.Queueing;
using Comms.Dispatcher.Sending;
using Comms.ServiceDefaults.Availability;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Digests;

/// <summary>
/// Claims due digest windows (leased, fenced, under a heartbeat) and flushes each in its own transaction, so a
/// window that fails — a template that blows its step limit, a bad entry — is retried with backoff and dead-lettered
/// after <c>MaxAttempts</c> while every other window flushes. Sleeps until the next window is due, a lease ends, or a
/// new window opens.
/// </summary>
public sealed partial class DigestFlushWorker(
    DigestQueue queue,
    DigestFlusher flusher,
    WakeUps wakeUps,
    DispatcherSignals signals,
    DispatcherIdentity identity,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<DigestFlushWorker> logger) : QueueWorker(WakeUps.Digests, signals, options, time, logger)
{
    private static readonly KeyValuePair<string, object?> QueueTag = new("queue", "digests");

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var windows = await queue.ClaimAsync(identity.Id, Settings.DigestBatchSize, Settings.DigestLease, cancellationToken);
        if (windows.Count == 0)
        {
            return false;
        }

        await using var heartbeat = LeaseHeartbeat.Start(
            windows.Select(w => w.Claim), queue.ExtendLeasesAsync, Settings.DigestLease, Topic, Time, Logger, cancellationToken);
        var queued = new HashSet<string>(StringComparer.Ordinal);
        var flushed = 0;
        foreach (var window in windows)
        {
            try
            {
                if (await FlushOneAsync(window, cancellationToken) is { } outcome)
                {
                    flushed++;
                    if (outcome.QueuedChannel is { } channel)
                    {
                        queued.Add(channel);
                    }
                }
            }
            finally
            {
                heartbeat.Done(window.Id);
            }
        }

        foreach (var channel in queued)
        {
            await wakeUps.PublishAsync(WakeUps.MessagesFor(channel));
        }

        LogFlushed(Logger, flushed, windows.Count);
        return true;
    }

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => queue.NextDueAsync(cancellationToken);

    /// <summary>Flushes one window; on failure gives it back for a later attempt or dead-letters it. Null unless it flushed.</summary>
    private async Task<DigestFlushOutcome?> FlushOneAsync(ClaimedDigest window, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await flusher.FlushAsync(window, cancellationToken);
            if (!outcome.Held)
            {
                CommsTelemetry.LeasesLost.Add(1, QueueTag);
                LogLeaseLost(Logger, window.Id);
                return null;
            }

            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var infrastructure = Failures.IsInfrastructure(ex);
            var giveUp = !infrastructure && window.Attempts >= Settings.MaxAttempts;
            var retryAt = Time.GetUtcNow() + Backoff.Delay(window.Attempts, Settings.RetryBaseDelay, ceiling: TimeSpan.FromMinutes(10));
            LogFlushFailed(Logger, window.Id, window.Attempts, giveUp, ex);
            if (!await queue.ReleaseAsync(window.Claim, ex.Message, retryAt, giveUp, cancellationToken))
            {
                CommsTelemetry.LeasesLost.Add(1, QueueTag);
                LogLeaseLost(Logger, window.Id);
            }
            else if (giveUp)
            {
                CommsTelemetry.DeadLettered.Add(1, QueueTag);
            }

            return null;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Flushed {Flushed} of {Claimed} digest windows")]
    private static partial void LogFlushed(ILogger logger, int flushed, int claimed);

    [LoggerMessage(2, LogLevel.Error, "Flushing digest window {DigestId} failed (attempt {Attempt}, dead-lettered: {DeadLettered})")]
    private static partial void LogFlushFailed(ILogger logger, Guid digestId, int attempt, bool deadLettered, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Digest window {DigestId}: another claim took it over; this dispatcher's write changed nothing")]
    private static partial void LogLeaseLost(ILogger logger, Guid digestId);
}
