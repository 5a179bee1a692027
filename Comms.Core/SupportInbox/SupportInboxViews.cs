using System.Text.Json;

namespace Comms.Core.SupportInbox;

/// <summary>A thread in the list: newest activity first.</summary>
public sealed record InboxThreadSummary(
    Guid Id, string Subject, string Counterpart, string Status, Guid? AssignedOperatorId, string? RelatedTo, int MessageCount,
    DateTimeOffset CreatedAt, DateTimeOffset LastActivityAt, DateTimeOffset? ClosedAt);

/// <summary>A page of threads; <see cref="NextCursor"/> fetches the next (null at the end).</summary>
public sealed record InboxThreadPage(IReadOnlyList<InboxThreadSummary> Items, string? NextCursor);

/// <summary>A thread with its messages, oldest first.</summary>
public sealed record InboxThreadView(InboxThreadSummary Thread, IReadOnlyList<InboxMessageView> Messages);

/// <summary>One mail of a thread.</summary>
public sealed record InboxMessageView(
    Guid Id, string Direction, string From, string? To, string Subject, string? Text, string? Html, string? Headers,
    IReadOnlyList<InboundAttachment> Attachments, string? MessageId, string? InReplyTo, Guid? OperatorId, string Status, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt)
{
    public static InboxMessageView Of(SysSupportInboxMessage m) => new(
        m.Id, m.Direction, m.FromAddress, m.ToAddress, m.Subject, m.Text, m.Html, m.Headers,
        m.Attachments is null ? [] : JsonSerializer.Deserialize<List<InboundAttachment>>(m.Attachments, JsonSerializerOptions.Web) ?? [],
        m.MessageIdHeader, m.InReplyTo, m.OperatorId, m.Status, m.Error, m.CreatedAt, m.SentAt);
}

/// <summary>The answer to an inbound post: where the mail went.</summary>
public sealed record InboundReceipt(Guid ThreadId, Guid MessageId, string ThreadedBy, bool Duplicate);

/// <summary>The list filters of <c>GET /sys/inbox</c>.</summary>
public static class InboxListFilters
{
    public const string Open = "open";
    public const string AssignedToMe = "assigned_to_me";
    public const string Closed = "closed";
    public static readonly string[] All = [Open, AssignedToMe, Closed];
}
