using System.Text.Json.Serialization;

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

    /// <summary>With <c>group=thread</c>: how many items of the list's filter the thread has (this item is its newest).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ThreadCount { get; init; }

    /// <summary>With <c>group=thread</c>: how many of them are unread.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ThreadUnread { get; init; }

    /// <summary>
    /// On a live push (<c>notificationReceived</c>): the cursor of the user's item delivered just before this one
    /// (<see cref="InboxCursor.Start"/> for the first), so a client can tell whether it missed one in between.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PreviousCursor { get; init; }

    [JsonIgnore]
    public InboxPosition Position => new(CreatedAt, Id);

    public static InboxItemView From(InboxItem item) => new(
        item.Id, item.Category, item.Title, item.Body, item.BodyHtml, item.Link, item.Icon, item.ThreadKey,
        item.CreatedAt, item.SeenAt, item.ReadAt, item.ArchivedAt, InboxCursor.Encode(item.CreatedAt, item.Id));
}

/// <summary>
/// A page of the notification center, newest first. <see cref="NextCursor"/> (as <c>before</c>) fetches older items,
/// null when there are none; <see cref="NewerCursor"/> (as <c>after</c>) fetches newer ones — it is the newest item
/// of the page (or, on an empty page, where the page was asked from), and <see cref="HasNewer"/> says whether newer
/// items exist already. A client catches up by asking <c>after</c> until <see cref="HasNewer"/> is false.
/// The counts are the user's badge numbers (<see cref="UnreadCounts"/>).
/// </summary>
public sealed record InboxPage(
    IReadOnlyList<InboxItemView> Items,
    string? NextCursor,
    string NewerCursor,
    bool HasNewer,
    int Unread,
    int Unseen,
    DateTimeOffset AsOf)
{
    [JsonIgnore]
    public UnreadCounts Counts => new(Unread, Unseen, AsOf);
}

/// <summary>
/// The badge numbers: unread items, and items not yet seen (the bell was not opened since). They are
/// exact up to <see cref="Cap"/>; a value of <see cref="Cap"/> means "that many or more" (a badge shows
/// 999+), so counting never scans a huge inbox. <see cref="AsOf"/> is the database's time when they were
/// counted: counts pushed from several processes can arrive out of order, and a client keeps the newest.
/// </summary>
public sealed record UnreadCounts(int Unread, int Unseen, DateTimeOffset AsOf)
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

/// <summary>How a list is grouped: <see cref="Thread"/> shows the newest item of each thread key, with the thread's counts.</summary>
public enum InboxGrouping
{
    None,
    Thread,
}

/// <summary>What <c>GET /me/notifications</c> asks for; at most one of <see cref="Before"/> and <see cref="After"/>.</summary>
public sealed record InboxQuery(
    InboxFilter Status = InboxFilter.All,
    string? Category = null,
    InboxPosition? Before = null,
    InboxPosition? After = null,
    int Limit = 20,
    InboxGrouping Group = InboxGrouping.None);

/// <summary>A change of one item's state.</summary>
public enum InboxAction
{
    Read,
    Unread,
    Archive,
    Unarchive,
}

/// <summary>
/// What <c>notificationChanged</c> pushes: <see cref="Change"/> is <c>read</c>, <c>unread</c>, <c>archive</c>,
/// <c>unarchive</c> (one item: <see cref="Id"/> and its new state in <see cref="Notification"/>) or <c>read_all</c>
/// (every item up to <see cref="UpTo"/>, of <see cref="Category"/> when one is given). <see cref="At"/> is the
/// database's time of the change: a client keeps the newest state of an item.
/// </summary>
public sealed record NotificationChange(
    string Change,
    Guid? Id,
    InboxItemView? Notification,
    string? Category,
    DateTimeOffset? UpTo,
    DateTimeOffset At)
{
    public const string ReadAll = "read_all";

    public static string NameOf(InboxAction action) => action switch
    {
        InboxAction.Read => "read",
        InboxAction.Unread => "unread",
        InboxAction.Archive => "archive",
        InboxAction.Unarchive => "unarchive",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}

/// <summary>The answer to a change of one item: its new state and the user's counts after it.</summary>
/// <remarks><see cref="ChangedAt"/> is the change's <see cref="NotificationChange.At"/>.</remarks>
public sealed record InboxItemChanged(InboxItemView Notification, DateTimeOffset ChangedAt, int Unread, int Unseen, DateTimeOffset AsOf)
{
    public static InboxItemChanged From(NotificationChange change, UnreadCounts counts) =>
        new(change.Notification!, change.At, counts.Unread, counts.Unseen, counts.AsOf);

    [JsonIgnore]
    public UnreadCounts Counts => new(Unread, Unseen, AsOf);
}
