namespace Comms.Core.DirectMessages;

/// <summary>The body of <c>POST /sys/users/{id}/messages</c>.</summary>
public sealed record DirectMessageRequest
{
    public List<string>? Channels { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }

    /// <summary>Why the operator writes (at least 10 characters); kept in the audit log.</summary>
    public string? Reason { get; init; }

    /// <summary>True: send to the operator themself (email). False: the real send, which needs a test send of the same text within 30 minutes.</summary>
    public bool TestSend { get; init; }
}

/// <summary>What happened on one channel: <c>queued</c> (handed to the pipeline) or <c>suppressed</c> (with why).</summary>
public sealed record DirectMessageChannelReceipt(string Channel, string Status, string? Reason);

/// <summary>The receipt of a direct message (also kept in the audit log).</summary>
public sealed record DirectMessageReceipt(
    Guid Id, Guid RecipientId, string TenantId, bool TestSend, IReadOnlyList<DirectMessageChannelReceipt> Channels, IReadOnlyList<Guid> EventIds,
    DateTimeOffset SentAt);

public static class DirectMessageValidator
{
    public const int MinReasonLength = 10;
    public const int MaxReasonLength = 1000;
    public const int MaxSubjectLength = 200;
    public const int MaxBodyLength = 10_000;

    /// <summary>The errors by JSON path (empty when valid).</summary>
    public static Dictionary<string, string[]> Validate(DirectMessageRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["body"] = ["The request body must be a JSON object: { channels, subject, body, reason, testSend }."];
            return errors;
        }

        if (request.Channels is not { Count: > 0 } channels)
        {
            errors["channels"] = [$"Give at least one channel: {string.Join(", ", DirectMessageBuiltIns.Channels)}."];
        }
        else if (channels.Any(c => c is null || !DirectMessageBuiltIns.Channels.Contains(c)) || channels.Distinct(StringComparer.Ordinal).Count() != channels.Count)
        {
            errors["channels"] = [$"Channels are distinct, from: {string.Join(", ", DirectMessageBuiltIns.Channels)}."];
        }

        if (string.IsNullOrWhiteSpace(request.Subject) || request.Subject.Length > MaxSubjectLength)
        {
            errors["subject"] = [$"The subject is required, at most {MaxSubjectLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(request.Body) || request.Body.Length > MaxBodyLength)
        {
            errors["body"] = [$"The body is required, at most {MaxBodyLength} characters."];
        }

        if (request.Reason is null || request.Reason.Trim().Length < MinReasonLength || request.Reason.Length > MaxReasonLength)
        {
            errors["reason"] = [$"Say why you write to this user: a reason of at least {MinReasonLength} characters (at most {MaxReasonLength})."];
        }

        return errors;
    }
}
