using Comms.Core.Recipients;

namespace Comms.Core.Contexts;

/// <summary>
/// Creates (<c>POST …/messages</c>) or changes (<c>PATCH …/messages/{id}</c>) a scheduled message. In a PATCH, fields
/// left out keep their value.
/// </summary>
/// <param name="Audience"><c>everyone</c> (default), <c>attending</c>, <c>pending</c>, <c>declined</c> or <c>maybe</c>.</param>
/// <param name="Channels">Any of <c>in_app</c>, <c>email</c>, <c>push</c>, <c>sms</c> (default in_app and email).</param>
/// <param name="Subject">1-256 characters; may use the placeholders.</param>
/// <param name="Body">1-4,096 characters of plain text; may use the placeholders.</param>
/// <param name="Status"><c>draft</c> (default) or <c>scheduled</c> (needs <paramref name="SendAt"/> in the future).</param>
public sealed record ScheduledMessageRequest(
    string? Audience,
    List<string>? Channels,
    string? Subject,
    string? Body,
    string? Status,
    DateTimeOffset? SendAt);

/// <summary>A scheduled message as lists show it: <c>label</c> is its friendly name ("7-day reminder", "Custom message").</summary>
public sealed record ScheduledMessageView(
    Guid Id,
    string Kind,
    string Label,
    string Audience,
    IReadOnlyList<string> Channels,
    string Subject,
    string Body,
    string Status,
    DateTimeOffset? SendAt,
    int RecipientCount,
    int FailedCount,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? CancelledAt)
{
    public static ScheduledMessageView From(ScheduledMessage m) => new(
        m.Id, m.Kind, ScheduledMessageKind.Label(m.Kind), m.Audience, m.Channels, m.Subject, m.Body, m.Status, m.SendAt,
        m.RecipientCount, m.FailedCount, m.Error, m.CreatedAt, m.UpdatedAt, m.SentAt, m.CancelledAt);
}

/// <summary>One channel of one recipient's copy: the pipeline's message status (queued, sent, delivered…) or its decision.</summary>
public sealed record ChannelOutcome(string Channel, string Status, string? Reason);

/// <summary>One recipient's outcome: <c>submitted</c> to the pipeline (with each channel's outcome so far) or <c>failed</c>.</summary>
public sealed record DeliveryView(string ExternalId, string? DisplayName, string Status, string? Error, IReadOnlyList<ChannelOutcome> Channels, DateTimeOffset CreatedAt);

/// <summary>A scheduled message with its per-recipient outcomes (once it has fired).</summary>
public sealed record ScheduledMessageDetails(ScheduledMessageView Message, IReadOnlyList<DeliveryView> Deliveries);

/// <summary>The live recipient count of an audience preset.</summary>
public sealed record RecipientCount(int Count);

public static class ScheduledMessageValidator
{
    public static readonly TimeSpan MaxSchedule = TimeSpan.FromDays(366);

    /// <summary>Checks the request; <paramref name="current"/> is the message being changed (null when creating).</summary>
    public static Dictionary<string, string[]> Validate(ScheduledMessageRequest? request, ScheduledMessage? current, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];
        if (request is null)
        {
            Add("body", "The request body must be a JSON object: { \"subject\": \"...\", \"body\": \"...\", \"audience\": \"everyone\", \"status\": \"draft\" }.");
            return errors;
        }

        if (request.Audience is not null && !MessageAudience.IsKnown(request.Audience))
        {
            Add("audience", $"audience must be one of: {string.Join(", ", MessageAudience.All)}.");
        }

        if (request.Channels is { } channels)
        {
            if (channels.Count == 0 || channels.Any(c => !ContextBuiltIns.Channels.Contains(c)) || channels.Distinct().Count() != channels.Count)
            {
                Add("channels", $"channels must be a non-empty list of distinct channels from: {string.Join(", ", ContextBuiltIns.Channels)}.");
            }
        }

        CheckText(request.Subject, current is null, "subject", ContextLimits.MaxSubjectLength, Add);
        CheckText(request.Body, current is null, "body", ContextLimits.MaxBodyLength, Add, multiline: true);

        if (request.Status is not null and not (ScheduledMessageStatus.Draft or ScheduledMessageStatus.Scheduled))
        {
            Add("status", "status must be draft or scheduled (use send-now to send at once, DELETE to cancel).");
        }

        var status = request.Status ?? current?.Status ?? ScheduledMessageStatus.Draft;
        var sendAt = request.SendAt ?? current?.SendAt;
        if (request.SendAt is { } given && (given <= now || given > now + MaxSchedule))
        {
            Add("sendAt", "sendAt must be in the future, at most 366 days ahead.");
        }
        else if (status == ScheduledMessageStatus.Scheduled && (sendAt is null || sendAt <= now))
        {
            Add("sendAt", "A scheduled message needs a sendAt in the future.");
        }

        return errors;
    }

    private static void CheckText(string? value, bool required, string field, int max, Action<string, string> add, bool multiline = false)
    {
        if (value is null)
        {
            if (required)
            {
                add(field, $"{field} is required: 1-{max} characters.");
            }

            return;
        }

        if (value.Trim().Length == 0 || value.Length > max
            || (multiline ? value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')) : RecipientFormats.HasControlCharacters(value)))
        {
            add(field, $"{field} must be 1-{max} characters{(multiline ? " (line breaks allowed, no other control characters)" : " without control characters")}.");
        }
    }
}
