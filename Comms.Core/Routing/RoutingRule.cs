namespace Comms.Core.Routing;

/// <summary>
/// How a tenant's event becomes messages: template, channels in order of preference, fallbacks,
/// escalation, delay, dedupe and digest (SPEC S2).
/// </summary>
public sealed class RoutingRule
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string EventName { get; set; }
    public required string TemplateName { get; set; }
    public required string Category { get; set; }
    public string[] Channels { get; set; } = [];
    public string[] FallbackChannels { get; set; } = [];

    /// <summary>Send <see cref="EscalationChannel"/> when the in-app item is still unread after this many minutes.</summary>
    public int? EscalationAfterMinutes { get; set; }
    public string? EscalationChannel { get; set; }

    public int DelaySeconds { get; set; }

    /// <summary>A Liquid template over the payload, e.g. <c>BOOKING:{{ booking_id }}:{{ status }}</c>.</summary>
    public string? DedupeKey { get; set; }
    public int DedupeWindowSeconds { get; set; } = 300;

    public string? DigestKey { get; set; }
    public int? DigestWindowSeconds { get; set; }
    public string? DigestTemplateName { get; set; }

    /// <summary>
    /// A Liquid template over the payload (e.g. <c>booking:{{ booking_id }}</c>) naming the thread of the in-app
    /// items this rule sends; an in-app template's own <c>threadKey</c> wins over it.
    /// </summary>
    public string? ThreadKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
