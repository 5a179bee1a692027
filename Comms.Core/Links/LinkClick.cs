namespace Comms.Core.Links;

/// <summary>
/// One click on a tracked link (<c>link_clicks</c>): which link of which message, and when. Deliberately nothing about
/// who clicked from where — no IP address, no user agent (SPEC S11); the message already says whom it went to.
/// </summary>
public sealed class LinkClick
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string TenantId { get; set; }
    public int LinkIndex { get; set; }
    public DateTimeOffset ClickedAt { get; set; }
}
