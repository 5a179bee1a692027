namespace Comms.Core.Digests;

/// <summary>
/// One digest window for a recipient × channel × digest key. At most one is open at a time (partial
/// unique index); events attach to it until <see cref="FlushAt"/>. Then a dispatcher claims it (status
/// <see cref="DigestStatus.Flushing"/>, leased and fenced like the other queues, see <see cref="DigestQueue"/>)
/// and flushes it into exactly one summary message — or, after <c>Comms:Dispatcher:MaxAttempts</c> failed
/// attempts, dead-letters it (<see cref="DigestStatus.Failed"/>, <see cref="LastError"/>), alone.
/// </summary>
public sealed class Digest
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid RecipientId { get; set; }
    public required string Channel { get; set; }
    public required string DigestKey { get; set; }
    public required string EventName { get; set; }
    public required string Category { get; set; }
    public string Status { get; set; } = DigestStatus.Open;
    public int EventCount { get; set; }
    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>When the window closes; after a failed attempt, when the flush is tried again.</summary>
    public DateTimeOffset FlushAt { get; set; }

    public DateTimeOffset? FlushedAt { get; set; }
    public Guid? MessageId { get; set; }

    /// <summary>Flush attempts so far (counted at each claim).</summary>
    public int Attempts { get; set; }

    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Written at each claim; the flush's writes must present it (fencing).</summary>
    public Guid? ClaimToken { get; set; }

    public string? LastError { get; set; }
    public DateTimeOffset? FailedAt { get; set; }
}

public static class DigestStatus
{
    /// <summary>Collecting events.</summary>
    public const string Open = "open";

    /// <summary>Closed to new events and claimed (or waiting for another attempt) by a dispatcher.</summary>
    public const string Flushing = "flushing";

    public const string Flushed = "flushed";

    /// <summary>Dead-lettered after its attempts; <see cref="Digest.LastError"/> says why.</summary>
    public const string Failed = "failed";
}

/// <summary>An event collected into a digest.</summary>
public sealed class DigestEntry
{
    public long Id { get; set; }
    public Guid DigestId { get; set; }
    public Guid EventId { get; set; }
    public string Payload { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
}
