using Comms.Core.Contexts;
using Comms.Dispatcher.Queueing;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Contexts;

/// <summary>
/// Fires scheduled messages and reminders (SPEC S7) through <see cref="ScheduledMessageScheduler"/>: claims due ones,
/// then sleeps until the next is due, a send-now wakes it (topic <c>scheduled</c>), or the poll interval passes. Any
/// number of dispatchers may run it: the claim is atomic, so a message fires once.
/// </summary>
public sealed class ScheduledMessageWorker(
    ScheduledMessageScheduler scheduler,
    DispatcherSignals signals,
    DispatcherIdentity identity,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<ScheduledMessageWorker> logger) : QueueWorker(ScheduledMessageScheduler.WakeTopic, signals, options, time, logger)
{
    private const int BatchSize = 10;

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken) =>
        await scheduler.FireDueAsync(identity.Id, BatchSize, cancellationToken) > 0;

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => scheduler.NextDueAsync(cancellationToken);
}
