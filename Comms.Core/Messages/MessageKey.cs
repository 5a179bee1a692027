namespace Comms.Core.Messages;

/// <summary>
/// The idempotency key of a message (SPEC S2: the same template version, user, cause and channel never sends twice).
/// <c>messages</c> is partitioned by month, and a unique index on a partitioned table must include the partition key,
/// so the key lives in this unpartitioned table: a <c>BEFORE INSERT</c> trigger on <c>messages</c> inserts it and skips
/// the message when the key exists (the same effect as <c>ON CONFLICT DO NOTHING</c> had). Retention deletes it with its message.
/// </summary>
public sealed class MessageKey
{
    public required string TemplateName { get; set; }
    public int TemplateVersion { get; set; }
    public Guid RecipientId { get; set; }
    public required string CauseRef { get; set; }
    public required string Channel { get; set; }
    public Guid MessageId { get; set; }
    public required string TenantId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
