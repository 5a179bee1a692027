namespace Comms.Core.ContextMail;

/// <summary>A context's unread mail count for one user (the badge), taken at <see cref="AsOf"/> (the database's time).</summary>
public sealed record ContextUnread(string ContextKey, int Unread, DateTimeOffset AsOf);

/// <summary>The answer of <c>GET /me/contexts/unread</c>: one badge per context with unread mail, and their total.</summary>
public sealed record ContextUnreadCounts(IReadOnlyList<ContextUnreadEntry> Contexts, int Total, DateTimeOffset AsOf);

public sealed record ContextUnreadEntry(string ContextKey, int Unread);
