using Comms.Core.Messages;

namespace Comms.Api.Messages;

/// <summary>One message (one recipient × channel delivery) as the messages API shows it; never its address or content.</summary>
public sealed record MessageView(
    Guid Id,
    Guid? EventId,
    string Channel,
    string Category,
    string RecipientExternalId,
    string TemplateName,
    int TemplateVersion,
    string Status,
    int Attempts,
    string? LastError,
    string? ProviderMessageId,
    string? Provider,
    DateTimeOffset CreatedAt,
    DateTimeOffset DueAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? FailedAt)
{
    /// <summary>Every attempt through a provider, oldest first (<c>GET /v1/messages/{id}</c> only; null in lists).</summary>
    public IReadOnlyList<AttemptView>? AttemptHistory { get; init; }

    /// <summary>Clicks on the message's tracked links, in total and per link (<c>GET /v1/messages/{id}</c> only; null in lists).</summary>
    public Comms.Core.Links.MessageClicks? Clicks { get; init; }
}

/// <summary>
/// One attempt to send a message: its number (1 for the first; a resend starts again), the provider, when it started and
/// finished, its outcome (sent, transient, permanent), the provider's status code and a short summary of its answer (fixed
/// words, never the provider's text), the provider's message id and the COMMS_* code of a failure.
/// </summary>
public sealed record AttemptView(
    int Attempt, string Provider, string Outcome, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, int? StatusCode, string? Response,
    string? ProviderMessageId, string? ErrorCode);

/// <summary>A page of messages, newest first; <see cref="NextBefore"/> is the <c>before</c> of the next page (null at the end).</summary>
public sealed record MessagePage(IReadOnlyList<MessageView> Items, Guid? NextBefore);

/// <summary>
/// A bulk resend: either <c>ids</c> (at most 1,000), or <c>filter</c> (its <c>status</c>, when given, must be failed or bounced)
/// with <c>max</c> messages at most (default 1,000, at most 10,000), newest first.
/// </summary>
public sealed record BulkResendRequest(IReadOnlyList<Guid>? Ids, MessageFilter? Filter, int? Max);

/// <summary>What a resend did: how many messages were requeued, and the ids left alone because their address is suppressed.</summary>
public sealed record ResendAnswer(int Requeued, int Suppressed, IReadOnlyList<Guid> RequeuedIds, IReadOnlyList<Guid> SuppressedIds);
