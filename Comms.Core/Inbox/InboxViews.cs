namespace Comms.Core.Inbox;

/// <summary>An inbox item as the end user sees it (in <c>GET /me/notifications</c> and live pushes).</summary>
public sealed record InboxItemView(
    Guid Id,
    string Category,
    string Title,
    string Body,
    string BodyHtml,
    string? Link,
    string? Icon,
    string? ThreadKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SeenAt,
    DateTimeOffset? ReadAt,
    DateTimeOffset? ArchivedAt,
    string Cursor)
{
    public bool Read => ReadAt is not null;

    public static InboxItemView From(InboxItem item) => new(
        item.Id, item.Category, item.Title, item.Body, item.BodyHtml, item.Link, item.Icon, item.ThreadKey,
        item.CreatedAt, item.SeenAt, item.ReadAt, item.ArchivedAt, InboxCursor.Encode(item.CreatedAt, item.Id));
}

/// <summary>A page of the notification center, newest first; <see cref="NextCursor"/> fetches older items.</summary>
public sealed record InboxPage(IReadOnlyList<InboxItemView> Items, string? NextCursor, int Unread, int Unseen);

/// <summary>
/// The badge numbers: unread items, and items not yet seen (the bell was not opened since). They are
/// exact up to <see cref="Cap"/>; a value of <see cref="Cap"/> means "that many or more" (a badge shows
/// 999+), so counting never scans a huge inbox.
/// </summary>
public sealed record UnreadCounts(int Unread, int Unseen)
{
    public const int Cap = 1000;
}

/// <summary>Which items a list shows.</summary>
public enum InboxFilter
{
    /// <summary>Everything not archived.</summary>
    All,
    Unread,
    Read,
    Archived,
}
