using Comms.Core.Messages;

namespace Comms.Core.Routing;

/// <summary>A message the router decided to queue, with its render (and an email's unsubscribe link, which the render may show).</summary>
public sealed record PlannedMessage(
    Guid Id,
    Guid RecipientId,
    string Channel,
    string Category,
    string TemplateName,
    int TemplateVersion,
    string? Locale,
    string? Variant,
    string CauseRef,
    string? Address,
    DateTimeOffset DueAt,
    Guid? EscalationOf,
    RenderedContent Content,
    string? UnsubscribeUrl = null);

/// <summary>
/// A routing decision to record; <see cref="Message"/> is set when it queues something, and
/// <see cref="Digest"/> when the event joins a digest instead.
/// </summary>
public sealed record PlannedDecision(
    Guid? RecipientId,
    string RecipientExternalId,
    string Channel,
    string Outcome,
    string? Reason,
    string? Detail,
    PlannedMessage? Message = null,
    DateTimeOffset? DueAt = null,
    PlannedDigest? Digest = null);

/// <summary>The digest window an event joins for one recipient × channel.</summary>
public sealed record PlannedDigest(Guid RecipientId, string Channel, string DigestKey, TimeSpan Window);
