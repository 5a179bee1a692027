namespace Comms.Core.Contexts;

/// <summary>
/// A message the host of a context schedules to an audience of its members (SPEC S7), or one of the four
/// reminders seeded with a dated context. Status walks <c>draft → scheduled → sending → sent</c> (or
/// <c>cancelled</c> / <c>failed</c>); only <c>draft</c> and <c>scheduled</c> can be edited or cancelled.
/// The table doubles as the scheduler's queue: due rows are claimed with <c>FOR UPDATE SKIP LOCKED</c> and a lease.
/// </summary>
public sealed class ScheduledMessage
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid ContextId { get; set; }

    /// <summary><c>custom</c>, or the reminder it is (<see cref="ScheduledMessageKind"/>); lists show its friendly label.</summary>
    public string Kind { get; set; } = ScheduledMessageKind.Custom;

    /// <summary>Which members receive it (<see cref="MessageAudience"/>), resolved when it fires.</summary>
    public string Audience { get; set; } = MessageAudience.Everyone;

    public string[] Channels { get; set; } = [];
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public string Status { get; set; } = ScheduledMessageStatus.Draft;

    /// <summary>When it fires (required once scheduled).</summary>
    public DateTimeOffset? SendAt { get; set; }

    /// <summary>The scheduler that claimed it and until when its claim holds (a crashed scheduler's claim expires).</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }

    public int RecipientCount { get; set; }
    public int FailedCount { get; set; }
    public string? Error { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
}

/// <summary>One recipient's outcome of a fired <see cref="ScheduledMessage"/>: which event it became, or why not.</summary>
public sealed class ScheduledMessageDelivery
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid ScheduledMessageId { get; set; }
    public Guid RecipientId { get; set; }
    public required string ExternalId { get; set; }

    /// <summary>The member's display name when it fired.</summary>
    public string? DisplayName { get; set; }

    /// <summary><c>submitted</c> (handed to the pipeline as <see cref="EventIds"/>) or <c>failed</c> (<see cref="Error"/> says why).</summary>
    public required string Status { get; set; }

    /// <summary>The events submitted for this recipient, one per channel; their messages carry the per-channel outcome.</summary>
    public Guid[] EventIds { get; set; } = [];

    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class ScheduledMessageStatus
{
    public const string Draft = "draft";
    public const string Scheduled = "scheduled";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Draft, Scheduled, Sending, Sent, Cancelled, Failed];

    /// <summary>What an edit or a cancel may still touch.</summary>
    public static bool IsEditable(string status) => status is Draft or Scheduled;
}

/// <summary>Audience presets: every member still in the context, or those of one RSVP status.</summary>
public static class MessageAudience
{
    public const string Everyone = "everyone";
    public const string Attending = MemberStatus.Attending;
    public const string Pending = MemberStatus.Pending;
    public const string Declined = MemberStatus.Declined;
    public const string Maybe = MemberStatus.Maybe;

    public static readonly IReadOnlyList<string> All = [Everyone, Attending, Pending, Declined, Maybe];

    public static bool IsKnown(string? audience) => audience is not null && All.Contains(audience);
}

public static class DeliveryOutcome
{
    public const string Submitted = "submitted";
    public const string Failed = "failed";
}
