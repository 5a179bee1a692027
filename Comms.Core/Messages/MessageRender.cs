namespace Comms.Core.Messages;

/// <summary>The immutable copy of what was rendered for a message, kept for audit.</summary>
public sealed class MessageRender
{
    public Guid MessageId { get; set; }
    public required string TenantId { get; set; }
    public required RenderedContent Content { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Rendered content of one message; only the fields of its channel are set.</summary>
public sealed record RenderedContent
{
    public string? Subject { get; init; }
    public string? Html { get; init; }
    public string? Text { get; init; }
    public string? Title { get; init; }
    public string? Body { get; init; }
    public string? BodyHtml { get; init; }
    public string? Link { get; init; }
    public string? Icon { get; init; }

    /// <summary>In-app: the thread the item belongs to (the template's <c>threadKey</c>, else the routing rule's).</summary>
    public string? ThreadKey { get; init; }
    public string? CollapseKey { get; init; }
    public Dictionary<string, string>? Data { get; init; }
    public string? Json { get; init; }
}
