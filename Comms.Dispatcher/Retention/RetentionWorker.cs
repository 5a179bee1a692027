using Comms.Core.Retention;
using Microsoft.Extensions.Options;
using RedLockNet;

namespace Comms.Dispatcher.Retention;

/// <summary>
/// Runs the <see cref="RetentionJob"/> every <see cref="RetentionOptions.Interval"/> (the first run one minute after
/// start), on whichever dispatcher replica holds the RedLock lease, so one replica works at a time.
/// </summary>
public sealed partial class RetentionWorker(
    IDistributedLockFactory locks,
    RetentionJob job,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionWorker> logger) : BackgroundService
{
    public const string LockName = "comms:lock:retention";
    private static readonly TimeSpan FirstRunDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRunDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(delay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            delay = options.Value.Interval;
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex);
            }
        }
    }

    /// <summary>One run under the lock; null when another replica holds it (and does the work).</summary>
    public async Task<RetentionRun?> RunOnceAsync(CancellationToken cancellationToken)
    {
        // RedLock extends the lease while it is held, so a long run keeps it.
        await using var lease = await locks.CreateLockAsync(LockName, TimeSpan.FromMinutes(5));
        if (!lease.IsAcquired)
        {
            LogSkipped(logger);
            return null;
        }

        return await job.RunAsync(cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Debug, "Retention skipped: another replica holds the lock")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(2, LogLevel.Warning, "Retention failed; trying again next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
