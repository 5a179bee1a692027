namespace Comms.Core.Webhooks;

/// <summary>
/// A message status change (<c>message.sent</c>, <c>message.delivered</c>, ...) to POST to one of the tenant's webhook
/// endpoints: the outbox of status webhooks. Rows are written by a trigger on <c>messages</c> in the same transaction as
/// the status change (so no change is lost and none is announced that did not commit), and sent by the dispatcher's
/// <c>StatusWebhookWorker</c> with retries and backoff.
/// </summary>
public sealed class WebhookDelivery
{
    /// <summary>Increasing: newest last (the delivery's <c>webhook-id</c> is <c>whd_{id}</c>).</summary>
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public Guid EndpointId { get; set; }
    public Guid MessageId { get; set; }

    /// <summary><c>message.sent</c>, <c>message.delivered</c>, <c>message.bounced</c>, <c>message.complained</c> or <c>message.failed</c>.</summary>
    public required string EventType { get; set; }

    /// <summary>The JSON body sent (built when the status changed, so it tells the state of that moment).</summary>
    public required string Payload { get; set; }

    /// <summary><see cref="WebhookDeliveryStatus"/>.</summary>
    public string Status { get; set; } = WebhookDeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public int? LastResponseCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

public static class WebhookDeliveryStatus
{
    /// <summary>Waiting for its (next) attempt.</summary>
    public const string Pending = "pending";

    /// <summary>The endpoint answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Given up: a permanent answer, or the last attempt failed.</summary>
    public const string Failed = "failed";
}

/// <summary>The message status changes a webhook endpoint can subscribe to (in its <c>eventTypes</c>).</summary>
public static class MessageStatusEvents
{
    public const string Prefix = "message.";
    public const string Sent = "message.sent";
    public const string Delivered = "message.delivered";
    public const string Bounced = "message.bounced";
    public const string Complained = "message.complained";
    public const string Failed = "message.failed";

    public static readonly IReadOnlyList<string> All = [Sent, Delivered, Bounced, Complained, Failed];
}
