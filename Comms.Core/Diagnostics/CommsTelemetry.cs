using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Comms.Core.Diagnostics;

/// <summary>
/// Traces and metrics of the pipeline (SPEC S10). Spans around routing and each send are parented on the
/// trace context stored with the event and the message, so one trace runs API → dispatcher → provider.
/// The service defaults export every <c>Comms.*</c> source and meter.
/// </summary>
public static class CommsTelemetry
{
    public const string Name = "Comms.Pipeline";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> EventsAccepted =
        Meter.CreateCounter<long>("comms.events.accepted", "{event}", "Events accepted at intake.");

    public static readonly Counter<long> Decisions =
        Meter.CreateCounter<long>("comms.decisions", "{decision}", "Routing decisions, by channel, outcome and reason.");

    public static readonly Histogram<double> EventToQueued =
        Meter.CreateHistogram<double>("comms.events.queued_latency", "ms", "From the event's acceptance to its messages being queued.");

    public static readonly Counter<long> MessagesSent =
        Meter.CreateCounter<long>("comms.messages.sent", "{message}", "Messages handed to their provider, by channel.");

    public static readonly Counter<long> MessagesFailed =
        Meter.CreateCounter<long>("comms.messages.failed", "{message}", "Messages that failed for good, by channel.");

    public static readonly Counter<long> MessagesRetried =
        Meter.CreateCounter<long>("comms.messages.retried", "{message}", "Transient send failures put back in the queue, by channel.");

    public static readonly Histogram<double> QueueToProvider =
        Meter.CreateHistogram<double>("comms.messages.provider_latency", "ms", "From a message being due to its provider accepting it.");

    public static readonly Counter<long> RateLimitFailedOpen =
        Meter.CreateCounter<long>("comms.rate_limit.failed_open", "{request}", "Requests let through unlimited because Redis could not be asked, by policy.");

    public static readonly Counter<long> DeadLettered =
        Meter.CreateCounter<long>("comms.queue.dead_lettered", "{item}", "Events, messages and digest windows failed for good after their attempts, by queue.");

    public static readonly Counter<long> LeasesLost =
        Meter.CreateCounter<long>("comms.queue.leases_lost", "{item}", "Writes that changed nothing because another claim had taken the item over, by queue.");

    public static readonly Counter<long> DedupeFailedOpen =
        Meter.CreateCounter<long>("comms.dedupe.failed_open", "{check}", "Dedupe checks let through because Redis could not be asked.");

    public static readonly Counter<long> LivePushesFailed =
        Meter.CreateCounter<long>("comms.live_push.failed", "{push}", "Live pushes (SignalR over Redis) that failed or timed out; clients catch up on reconnect.");

    public static readonly Counter<long> RetentionRowsDeleted =
        Meter.CreateCounter<long>("comms.retention.rows_deleted", "{row}", "Expired rows deleted in batches by the retention job, by table.");

    public static readonly Counter<long> RetentionPartitionsDropped =
        Meter.CreateCounter<long>("comms.retention.partitions_dropped", "{partition}", "Expired month partitions dropped whole by the retention job, by table.");

    /// <summary>Starts a span whose parent is a stored W3C <c>traceparent</c> (or none).</summary>
    public static readonly Counter<long> MessagesHeld =
        Meter.CreateCounter<long>("comms.messages.held", "{message}",
            "Messages put back to wait without using up an attempt (a token bucket or an open circuit breaker), by channel and reason.");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<object, Func<IEnumerable<Measurement<int>>>> BreakerSources = new();

    /// <summary>
    /// <c>comms.provider.breaker.state</c>: each provider circuit breaker of each dispatcher in the process (tag
    /// <c>provider</c>, and <c>target</c> for per-host breakers): 0 closed, 1 half-open, 2 open.
    /// </summary>
    public static readonly ObservableGauge<int> BreakerState = Meter.CreateObservableGauge(
        "comms.provider.breaker.state", () => BreakerSources.Values.SelectMany(source => source()), "{state}",
        "Provider circuit breaker state: 0 closed, 1 half-open, 2 open.");

    /// <summary>Adds the breakers of one dispatcher to <see cref="BreakerState"/>; dispose to remove them.</summary>
    public static IDisposable ObserveBreakers(Func<IEnumerable<Measurement<int>>> source)
    {
        var key = new object();
        BreakerSources[key] = source;
        return new Unregister(() => BreakerSources.TryRemove(key, out _));
    }

    private sealed class Unregister(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    public static Activity? StartActivity(string name, string? traceParent, ActivityKind kind = ActivityKind.Internal) =>
        ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : Source.StartActivity(name, kind);
}
