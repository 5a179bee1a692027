namespace Comms.Core.Broadcasts;

/// <summary>
/// A message from the platform to many users across tenants (SPEC S6, issue 12): composed as a draft, test-sent by the
/// operator who sends it, then expanded per tenant into events with an audience that the dispatcher routes into
/// messages chunk by chunk (the normal pipeline: preferences, suppressions, send queue, providers). The banner channel
/// activates a platform banner.
/// </summary>
public sealed class SysBroadcast
{
    public Guid Id { get; set; }
    public required string Title { get; set; }

    /// <summary>The audience as JSON (<see cref="BroadcastAudience"/>).</summary>
    public required string Audience { get; set; }

    public string[] Channels { get; set; } = [];

    /// <summary>Subject and body per channel as JSON (<see cref="BroadcastContent"/>): Liquid sources.</summary>
    public required string Content { get; set; }

    public string BannerKind { get; set; } = "maintenance";
    public string BannerSeverity { get; set; } = "info";
    public DateTimeOffset? BannerEndsAt { get; set; }

    public string Status { get; set; } = BroadcastStatus.Draft;

    /// <summary>The events the send made (one per tenant and channel); the progress counts their messages.</summary>
    public Guid[] EventIds { get; set; } = [];

    public Guid? BannerActivationId { get; set; }
    public required string CreatedBy { get; set; }
    public string? SentBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? SendStartedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? PausedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
}

/// <summary>When an operator last test-sent a broadcast: the send is allowed to that operator for 30 minutes after.</summary>
public sealed class SysBroadcastTestSend
{
    public Guid BroadcastId { get; set; }
    public Guid OperatorId { get; set; }
    public DateTimeOffset TestSentAt { get; set; }
}

public static class BroadcastStatus
{
    public const string Draft = "draft";
    public const string Sending = "sending";
    public const string Paused = "paused";
    public const string Sent = "sent";
    public const string Cancelled = "cancelled";
}

public static class BroadcastChannels
{
    public const string Banner = "banner";
    public const string Email = "email";
    public const string Push = "push";
    public static readonly IReadOnlyList<string> All = [Banner, Email, Push];
}
