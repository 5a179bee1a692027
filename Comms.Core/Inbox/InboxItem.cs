namespace Comms.Core.Inbox;

/// <summary>An in-app notification in a user's notification center.</summary>
public sealed class InboxItem
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid RecipientId { get; set; }
    public Guid MessageId { get; set; }
    public Guid? EventId { get; set; }
    public required string Category { get; set; }
    public required string Title { get; set; }

    /// <summary>The body as authored (Markdown).</summary>
    public string Body { get; set; } = "";

    /// <summary>The body rendered to sanitized HTML.</summary>
    public string BodyHtml { get; set; } = "";

    public string? Link { get; set; }
    public string? Icon { get; set; }
    public string? ThreadKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SeenAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
}
