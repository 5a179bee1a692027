namespace Comms.Core.SupportInbox;

/// <summary>
/// A conversation in the operator inbox (issue 12): mails that reached the platform's inbound address (SendGrid Inbound
/// Parse) and the operators' replies, threaded by <c>In-Reply-To</c>/<c>References</c> and by the reply-address token.
/// </summary>
public sealed class SysSupportInboxThread
{
    public Guid Id { get; set; }

    /// <summary>The subject of the first mail.</summary>
    public required string Subject { get; set; }

    /// <summary>The address replies go to (the first mail's sender).</summary>
    public required string Counterpart { get; set; }

    /// <summary>open or closed (<see cref="InboxThreadStatuses"/>).</summary>
    public string Status { get; set; } = InboxThreadStatuses.Open;

    public Guid? AssignedOperatorId { get; set; }

    /// <summary>The token of the thread's reply address (<c>reply+{token}@{domain}</c>), unguessable.</summary>
    public required string ReplyToken { get; set; }

    /// <summary>What the first mail replied to, when it was one of ours: the cause of that message (e.g. <c>sys-dm:{id}</c>) or <c>message:{id}</c>.</summary>
    public string? RelatedTo { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastActivityAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public List<SysSupportInboxMessage> Messages { get; set; } = [];
}

/// <summary>One mail of a thread: received (inbound) or an operator's reply (outbound, sent by the dispatcher).</summary>
public sealed class SysSupportInboxMessage
{
    public Guid Id { get; set; }

    public Guid ThreadId { get; set; }

    /// <summary>inbound or outbound (<see cref="InboxDirections"/>).</summary>
    public required string Direction { get; set; }

    public required string FromAddress { get; set; }

    public string? ToAddress { get; set; }

    public string Subject { get; set; } = "";

    public string? Text { get; set; }

    public string? Html { get; set; }

    /// <summary>The raw header block as received (inbound).</summary>
    public string? Headers { get; set; }

    /// <summary>SendGrid's <c>envelope</c> JSON (inbound).</summary>
    public string? Envelope { get; set; }

    /// <summary>SendGrid's <c>charsets</c> JSON (inbound).</summary>
    public string? Charsets { get; set; }

    /// <summary>The attachments' metadata as a JSON array (name, filename, type, size); their content is not kept.</summary>
    public string? Attachments { get; set; }

    /// <summary>The mail's <c>Message-Id</c> without angle brackets.</summary>
    public string? MessageIdHeader { get; set; }

    public string? InReplyTo { get; set; }

    public string? References { get; set; }

    /// <summary>The operator who wrote a reply (null for inbound, or the platform key).</summary>
    public Guid? OperatorId { get; set; }

    /// <summary>received (inbound); queued, sending, sent or failed (outbound). See <see cref="InboxMessageStatuses"/>.</summary>
    public required string Status { get; set; }

    public string? Error { get; set; }

    public int Attempts { get; set; }

    /// <summary>An outbound reply is not tried before this (the sender's lease, or the retry back-off).</summary>
    public DateTimeOffset? NotBefore { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}

public static class InboxThreadStatuses
{
    public const string Open = "open";
    public const string Closed = "closed";
}

public static class InboxDirections
{
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";
}

public static class InboxMessageStatuses
{
    public const string Received = "received";
    public const string Queued = "queued";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>The audit actions of the operator inbox.</summary>
public static class InboxAuditActions
{
    public const string Received = "sys.inbox.received";
    public const string Assigned = "sys.inbox.assigned";
    public const string Replied = "sys.inbox.replied";
    public const string Closed = "sys.inbox.closed";
    public const string Reopened = "sys.inbox.reopened";

    /// <summary>The audit target of a thread.</summary>
    public static string Target(Guid threadId) => "inbox-thread:" + threadId;
}
