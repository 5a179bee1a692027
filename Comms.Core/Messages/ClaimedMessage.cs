using Comms.Core.Queueing;

namespace Comms.Core.Messages;

/// <summary>
/// A message claimed for sending, with its render and its recipient's identity.
/// <see cref="EscalationSatisfied"/>: for an escalation, the in-app item it escalates was read or archived.
/// <see cref="ClaimToken"/>: written by this claim; every state change of the message must present it.
/// <see cref="UnsubscribeUrl"/>: an email's one-click unsubscribe link (none for critical categories).
/// </summary>
public sealed record ClaimedMessage(
    Guid Id,
    string TenantId,
    Guid? EventId,
    Guid RecipientId,
    string RecipientExternalId,
    string Channel,
    string Category,
    string TemplateName,
    int TemplateVersion,
    string? Locale,
    string CauseRef,
    string? Address,
    int Attempts,
    Guid? EscalationOf,
    string? TraceParent,
    RenderedContent Content,
    bool EscalationSatisfied = false,
    DateTimeOffset DueAt = default,
    Guid ClaimToken = default,
    string? UnsubscribeUrl = null)
{
    public LeaseClaim Claim => new(Id, ClaimToken);
}
