namespace Comms.Core.Messages;

/// <summary>
/// One attempt to send a message through a provider (<c>message_attempts</c>), written by the dispatcher in the same
/// statement as the message's state change. It holds no personal data — the provider, the outcome, the provider's status
/// code and a short summary made of fixed words (never the provider's free text, which may quote an address), its
/// message id and a <c>COMMS_*</c> error code — so an erasure leaves it as it is. Partitioned by month on
/// <see cref="CreatedAt"/>, which is its MESSAGE's creation time: an attempt lives in its message's partition and goes
/// with it (retention drops or deletes them together).
/// </summary>
public sealed class MessageAttempt
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string TenantId { get; set; }

    /// <summary>The message's <c>created_at</c> (the partition key), not the attempt's time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The message's attempt count when it was made (1 for the first; a resend starts again at 1).</summary>
    public int Attempt { get; set; }

    /// <summary>Which provider handled it: <c>smtp</c>, <c>sendgrid</c>, <c>fcm</c>, <c>expo</c>, <c>twilio</c>, <c>webhook</c>, <c>inapp</c>.</summary>
    public required string Provider { get; set; }

    /// <summary><see cref="AttemptOutcome"/>: sent, transient or permanent.</summary>
    public required string Outcome { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }

    /// <summary>The provider's status code (HTTP status, SMTP reply code); null when it did not answer.</summary>
    public int? StatusCode { get; set; }

    /// <summary>A short safe summary of the answer (e.g. <c>503 ServiceUnavailable</c>, <c>no answer (timed out)</c>).</summary>
    public string? Response { get; set; }
    public string? ProviderMessageId { get; set; }

    /// <summary>The <c>COMMS_*</c> code of a failure, when it has one.</summary>
    public string? ErrorCode { get; set; }
}

/// <summary>What became of an attempt. A held message (a bucket or an open breaker; no attempt used) writes no attempt row.</summary>
public static class AttemptOutcome
{
    public const string Sent = "sent";
    public const string Transient = "transient";
    public const string Permanent = "permanent";
}

/// <summary>The providers an attempt can name (the email and push ones are named by their own constants too).</summary>
public static class AttemptProviders
{
    public const string InApp = "inapp";
    public const string Twilio = "twilio";
    public const string Webhook = "webhook";

    /// <summary>Every provider, as the delivery log's <c>provider</c> filter takes them.</summary>
    public static readonly IReadOnlyList<string> All = ["smtp", "sendgrid", "fcm", "expo", "twilio", "webhook", "inapp"];
}

/// <summary>An attempt to record with a message's state change (<see cref="MessageQueue"/>); the finish time is the write's.</summary>
public sealed record AttemptRecord(string Provider, string Outcome, DateTimeOffset StartedAt)
{
    public int? StatusCode { get; init; }
    public string? Response { get; init; }
    public string? ProviderMessageId { get; init; }
    public string? ErrorCode { get; init; }
}
