namespace Comms.Core.Feedback;

/// <summary>What a provider said about a message it was given.</summary>
public enum FeedbackKind
{
    /// <summary>Delivered to the recipient's server or handset → <c>delivered</c>.</summary>
    Delivered,

    /// <summary>A hard bounce (the address is gone or refuses for good) → <c>bounced</c>, and the address suppressed.</summary>
    Bounced,

    /// <summary>A spam complaint → <c>complained</c>, and the address suppressed.</summary>
    Complained,

    /// <summary>The provider gave up (SendGrid <c>dropped</c>, Twilio <c>failed</c>/<c>undelivered</c>) → <c>failed</c> with the reason.</summary>
    Failed,

    /// <summary>Worth knowing but not final (a blocked or deferred email): recorded as the message's last error, status kept.</summary>
    Note,
}

/// <summary>
/// One provider report, found by our message id (<paramref name="MessageId"/> with its <paramref name="TenantId"/>, as SendGrid
/// echoes our custom args) or by the provider's id for the message (<paramref name="ProviderMessageId"/>, a Twilio SID).
/// <paramref name="Address"/> is what the provider says it tried (suppressed on a hard bounce or complaint; else the
/// message's own address is).
/// </summary>
public sealed record DeliveryFeedback(
    string Provider, string Channel, FeedbackKind Kind, Guid? MessageId, string? TenantId, string? ProviderMessageId, string? Address, string? Reason);

/// <summary>What applying a report did.</summary>
public enum FeedbackResult
{
    /// <summary>No message of ours matches (not sent by us, or another deployment's).</summary>
    UnknownMessage,

    /// <summary>The message's status changed.</summary>
    Changed,

    /// <summary>Nothing changed: a repeat, or a report that comes too late for the message's status (e.g. delivered after bounced).</summary>
    Unchanged,
}
