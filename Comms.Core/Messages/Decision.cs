namespace Comms.Core.Messages;

/// <summary>
/// One routing decision for a recipient × channel of an event: queued, deferred, blocked (with a
/// typed reason) and so on. Append-only; queryable per event and per recipient.
/// </summary>
public sealed class Decision
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public Guid EventId { get; set; }
    public Guid? RecipientId { get; set; }
    public required string RecipientExternalId { get; set; }
    public required string Channel { get; set; }
    public required string Outcome { get; set; }
    public string? Reason { get; set; }
    public string? Detail { get; set; }
    public Guid? MessageId { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class DecisionOutcome
{
    public const string Queued = "queued";
    public const string Deferred = "deferred";
    public const string Blocked = "blocked";
    public const string Digested = "digested";
    public const string Escalation = "escalation_scheduled";
    public const string Fallback = "fallback";
}

/// <summary>Typed reasons recorded for blocked or deferred messages (SPEC S2).</summary>
public static class ReasonCodes
{
    public const string PrefBlocked = "COMMS_PREF_BLOCKED";
    public const string QuietHours = "COMMS_QUIET_HOURS";
    public const string Suppressed = "COMMS_SUPPRESSED";
    public const string Duplicate = "COMMS_DUPLICATE";
    public const string TemplateMissingVar = "COMMS_TEMPLATE_MISSING_VAR";
    public const string RateLimited = "COMMS_RATE_LIMITED";
    public const string NoAddress = "COMMS_NO_ADDRESS";
    public const string UnknownRecipient = "COMMS_UNKNOWN_RECIPIENT";
    public const string NoTemplate = "COMMS_NO_TEMPLATE";
    public const string NoProvider = "COMMS_NO_PROVIDER";

    /// <summary>The rendered content cannot be sent: a refused link (e.g. <c>javascript:</c>) or a field over its channel's limit.</summary>
    public const string RenderInvalid = "COMMS_RENDER_INVALID";

    /// <summary>The tenant does not allow the event's category on SMS (its <c>smsCategories</c>, the cost gate).</summary>
    public const string SmsNotAllowed = "COMMS_SMS_NOT_ALLOWED";

    /// <summary>The recipient was erased (SPEC S11): what was still in flight for them is dropped, and nothing new is routed to them.</summary>
    public const string RecipientErased = "COMMS_RECIPIENT_ERASED";
}
