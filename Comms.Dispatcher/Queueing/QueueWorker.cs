using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Queueing;

/// <summary>
/// The loop every queue worker shares: do a round of work; when there was none, sleep until the next row
/// becomes claimable — its due time, or the end of a lease another replica holds (one indexed query) — a Redis
/// wake-up arrives, or the safety-net poll interval passes, whichever is first. An idle worker therefore makes
/// no queries while another replica holds the work. A failed round (the database away) is retried with growing
/// pauses up to the poll interval; the loop never dies.
/// </summary>
public abstract partial class QueueWorker(
    string wakeTopic, DispatcherSignals signals, IOptions<DispatcherOptions> options, TimeProvider time, ILogger logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxErrorPause = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MinimumPause = TimeSpan.FromMilliseconds(20);
    private long _rounds;

    protected DispatcherOptions Settings => options.Value;

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    /// <summary>The wake-up topic of this loop (<c>events</c>, <c>digests</c>, <c>messages:{channel}</c>).</summary>
    public string Topic => wakeTopic;

    /// <summary>How many rounds of work this loop has run (each claims once): for operators and tests.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>One round of work; true when something was done (the loop then goes again at once).</summary>
    protected abstract Task<bool> RunOnceAsync(CancellationToken cancellationToken);

    /// <summary>When the next piece of work becomes claimable (due, or its lease ends), if any is waiting.</summary>
    protected abstract Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var signal = signals.For(wakeTopic);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Interlocked.Increment(ref _rounds);
                if (await RunOnceAsync(stoppingToken))
                {
                    failures = 0;
                    continue;
                }

                var idle = await IdleTimeAsync(stoppingToken);
                failures = 0;
                await signal.WaitAsync(idle, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                LogLoopError(logger, wakeTopic, failures, ex);
                await signal.WaitAsync(ErrorPause(failures), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>1 s, 2 s, 4 s… up to the poll interval (at most 30 s): a database restart is noticed within seconds.</summary>
    private TimeSpan ErrorPause(int failures)
    {
        var pause = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(failures - 1, 10)));
        var ceiling = Settings.PollInterval < MaxErrorPause ? Settings.PollInterval : MaxErrorPause;
        return pause < ceiling ? pause : ceiling;
    }

    private async Task<TimeSpan> IdleTimeAsync(CancellationToken cancellationToken)
    {
        var wait = Settings.PollInterval;
        if (await NextDueAsync(cancellationToken) is { } due)
        {
            var untilDue = due - time.GetUtcNow();
            // Claimable already: the round just missed it (it became due, a lease ended, or another claim had it
            // locked for an instant): go again almost at once.
            wait = untilDue <= MinimumPause ? MinimumPause : untilDue < wait ? untilDue : wait;
        }

        return wait;
    }

    [LoggerMessage(100, LogLevel.Error, "The {Topic} loop failed ({Failures} in a row); retrying")]
    private static partial void LogLoopError(ILogger logger, string topic, int failures, Exception exception);
}
