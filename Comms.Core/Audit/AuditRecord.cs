namespace Comms.Core.Audit;

/// <summary>
/// One line of the append-only audit log (<c>audit_log</c>): who did what to which target. A database trigger refuses
/// UPDATE and DELETE of its rows, so nothing written here can be changed or removed through SQL by the application.
/// </summary>
public sealed class AuditRecord
{
    public long Id { get; set; }

    /// <summary>The tenant acted upon; null for platform actions (operators).</summary>
    public string? TenantId { get; set; }

    /// <summary>Who acted, e.g. <c>api-key:{id}</c>, <c>sys</c>, <c>user:{externalId}</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>What was done, dotted, e.g. <c>message.resend</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What it was done to, e.g. <c>message:{id}</c>.</summary>
    public required string Target { get; set; }

    /// <summary>Details as a JSON object (never secrets, addresses or bodies).</summary>
    public string? Metadata { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The actions written to the audit log.</summary>
public static class AuditActions
{
    public const string MessageResend = "message.resend";
}
