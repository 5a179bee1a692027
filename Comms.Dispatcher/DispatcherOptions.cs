using System.ComponentModel.DataAnnotations;

namespace Comms.Dispatcher;

/// <summary><c>Comms:Dispatcher</c>: how the dispatcher claims and sends work.</summary>
public sealed class DispatcherOptions : IValidatableObject
{
    public const string SectionName = "Comms:Dispatcher";

    /// <summary>The safety-net poll when no Redis wake-up arrives.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events one routing claim takes (the batch router writes them in one transaction; issue 14: 500 drains ~2× faster than 50).</summary>
    [Range(1, 10_000)]
    public int EventBatchSize { get; set; } = 500;

    [Range(1, 10_000)]
    public int MessageBatchSize { get; set; } = 100;

    /// <summary>
    /// Deliver an event's in-app messages in its routing transaction (marked sent, inbox items written, pushed after
    /// the commit) instead of queueing them for the in-app sender's next claim — for messages due at once, not
    /// escalations, of tenants with no in-app send limit (those go through the sender's bucket). Off: every in-app
    /// message goes through the queue, as before.
    /// </summary>
    public bool InlineInApp { get; set; } = true;

    /// <summary>
    /// Claim due events by their row locks within the routing transaction (<c>SELECT … FOR UPDATE SKIP LOCKED</c>, no
    /// lease written; the transaction is the lease and the fence) and route them in it. Events the batch router leaves,
    /// and a batch that fails, are leased by id and routed one by one as before. Off: every claim writes a lease.
    /// </summary>
    public bool ClaimByRowLock { get; set; } = true;

    /// <summary>
    /// Per-channel overrides (<c>Comms:Dispatcher:Channels:{channel}:BatchSize</c>), e.g. email claimed 10,000 at a time
    /// when SendGrid carries 1,000 recipients a request.
    /// </summary>
    public Dictionary<string, ChannelDispatchOptions> Channels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many messages of <paramref name="channel"/> one claim takes.</summary>
    public int MessageBatchSizeFor(string channel) =>
        Channels.TryGetValue(channel, out var settings) && settings.BatchSize is { } size ? size : MessageBatchSize;

    /// <summary>
    /// Claimed rounds of a batch sender (SendGrid) in flight at once (<c>Comms:Dispatcher:Channels:{channel}:RoundsInFlight</c>,
    /// default 2, at most 4): the next round's requests start while the previous round's last ones are answered and
    /// recorded. 1: one round after the other.
    /// </summary>
    public int RoundsInFlightFor(string channel) =>
        Channels.TryGetValue(channel, out var settings) ? settings.RoundsInFlight : 2;

    [Range(1, 1024)]
    public int MaxParallelSends { get; set; } = 16;

    /// <summary>
    /// Routing loops in this replica (<c>Comms:Dispatcher:RoutingLoops</c>): each claims its own batches
    /// (<c>FOR UPDATE SKIP LOCKED</c>), so one loop's planning overlaps another's write and commit. Read when the services
    /// are registered.
    /// </summary>
    [Range(1, 16)]
    public int RoutingLoops { get; set; } = 2;

    /// <summary>Events of a claimed batch routed at once.</summary>
    [Range(1, 256)]
    public int RoutingParallelism { get; set; } = 16;

    /// <summary>
    /// Attempts per message, event and digest window before it is dead-lettered (<c>failed</c> with its reason);
    /// failures are retried with backoff until then. Failures that only say the database is away never count.
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// How long a claim holds an event, a message or a digest window without a heartbeat. A heartbeat extends the
    /// lease every third of it while the work is in flight, so this is only how long a crashed replica's work waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan EventLease { get; set; } = TimeSpan.FromMinutes(2);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DigestLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Digest windows claimed per round.</summary>
    [Range(1, 10_000)]
    public int DigestBatchSize { get; set; } = 50;

    /// <summary>First retry delay; doubles per attempt, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>This replica's name in leases; defaults to host:pid:random.</summary>
    public string? InstanceId { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (channel, settings) in Channels)
        {
            if (settings.BatchSize is < 1 or > 10_000)
            {
                yield return new ValidationResult(
                    $"Comms:Dispatcher:Channels:{channel}:BatchSize must be between 1 and 10000.", [$"{nameof(Channels)}:{channel}:BatchSize"]);
            }

            if (settings.RoundsInFlight is < 1 or > 4)
            {
                yield return new ValidationResult(
                    $"Comms:Dispatcher:Channels:{channel}:RoundsInFlight must be between 1 and 4.", [$"{nameof(Channels)}:{channel}:RoundsInFlight"]);
            }

            if (settings.Loops is < 1 or > 16)
            {
                yield return new ValidationResult(
                    $"Comms:Dispatcher:Channels:{channel}:Loops must be between 1 and 16.", [$"{nameof(Channels)}:{channel}:Loops"]);
            }
        }
    }
}

/// <summary>Settings of one channel's sending loop.</summary>
public sealed class ChannelDispatchOptions
{
    /// <summary>Messages claimed per round; unset, <see cref="DispatcherOptions.MessageBatchSize"/>.</summary>
    [Range(1, 10_000)]
    public int? BatchSize { get; set; }

    /// <summary>Sending loops of the channel in each dispatcher (default 1; read at start).</summary>
    [Range(1, 16)]
    public int Loops { get; set; } = 1;

    /// <summary>Claimed rounds of a batch sender in flight at once (default 2; see <see cref="DispatcherOptions.RoundsInFlightFor"/>).</summary>
    [Range(1, 4)]
    public int RoundsInFlight { get; set; } = 2;
}
