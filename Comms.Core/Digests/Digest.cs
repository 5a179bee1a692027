namespace Comms.Core.Digests;

/// <summary>
/// One digest window for a recipient × channel × digest key. At most one is open at a time (partial
/// unique index); events attach to it until <see cref="FlushAt"/>, then it is flushed into exactly one
/// summary message.
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
    public DateTimeOffset FlushAt { get; set; }
    public DateTimeOffset? FlushedAt { get; set; }
    public Guid? MessageId { get; set; }
}

public static class DigestStatus
{
    public const string Open = "open";
    public const string Flushed = "flushed";
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
