namespace Comms.Core.Messages;

/// <summary>
/// One recipient × channel delivery. The <c>messages</c> table is the durable send queue: rows are
/// claimed with <c>FOR UPDATE SKIP LOCKED</c> and a lease, so any number of dispatchers may run.
/// </summary>
public sealed class Message
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid? EventId { get; set; }
    public Guid RecipientId { get; set; }
    public required string Channel { get; set; }
    public required string Category { get; set; }
    public required string TemplateName { get; set; }
    public int TemplateVersion { get; set; }
    public string? Locale { get; set; }
    public string? Variant { get; set; }
    public required string CauseRef { get; set; }

    /// <summary>The destination resolved at routing time (address, phone, device set), for audit.</summary>
    public string? Address { get; set; }

    public string Status { get; set; } = MessageStatus.Queued;
    public DateTimeOffset DueAt { get; set; }
    public int Attempts { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Written at each claim; every later state change must present it (fencing), see <c>MessageQueue</c>.</summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>For an escalation: the in-app message that must still be unread for this one to go out.</summary>
    public Guid? EscalationOf { get; set; }

    public string? LastError { get; set; }
    public string? ProviderMessageId { get; set; }

    /// <summary>The provider of its latest attempt (<c>smtp</c>, <c>sendgrid</c>, <c>fcm</c>, ...); every attempt is in <see cref="MessageAttempt"/>.</summary>
    public string? Provider { get; set; }
    public string? TraceParent { get; set; }

    /// <summary>
    /// An email's one-click unsubscribe link (RFC 8058), made when it was rendered: the template's <c>unsubscribe_url</c>
    /// and the <c>List-Unsubscribe</c> header. Null for critical categories and other channels.
    /// </summary>
    public string? UnsubscribeUrl { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>When the message was dead-lettered (<see cref="MessageStatus.Failed"/>); <see cref="LastError"/> says why.</summary>
    public DateTimeOffset? FailedAt { get; set; }
}

public static class MessageStatus
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>The provider reported it delivered (SendGrid <c>delivered</c>, Twilio <c>delivered</c>).</summary>
    public const string Delivered = "delivered";

    /// <summary>A hard bounce (the address does not exist or refuses it for good); the address is suppressed.</summary>
    public const string Bounced = "bounced";

    /// <summary>The recipient reported it as spam; the address is suppressed.</summary>
    public const string Complained = "complained";

    /// <summary>Every status a message can have.</summary>
    public static readonly IReadOnlyList<string> All = [Queued, Sent, Delivered, Bounced, Complained, Failed, Cancelled];

    /// <summary>The statuses a message can be re-sent from (<c>POST /v1/messages/{id}/resend</c>).</summary>
    public static readonly IReadOnlyList<string> Resendable = [Failed, Bounced];
}
