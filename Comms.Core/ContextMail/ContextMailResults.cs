namespace Comms.Core.ContextMail;

/// <summary>Who sends a mail: a user (member or owner, by external id), an operator (a tenant API key), or the system.</summary>
public sealed record MailSender(string Kind, string? ExternalId, string? SystemEvent = null)
{
    public static MailSender User(string externalId) => new(ContextMailSenders.Member, externalId);

    public static readonly MailSender Operator = new(ContextMailSenders.Operator, null);

    public static MailSender System(string systemEvent) => new(ContextMailSenders.System, null, systemEvent);
}

/// <summary>A refusal that is not about one field (answered as problem details with <see cref="Code"/>).</summary>
public sealed record MailProblem(int Status, string Code, string Title, string Detail);

/// <summary>A recipient's unread count in the mail's context after it was sent (for the badge and the push).</summary>
public sealed record RecipientUnread(string ExternalId, int Unread);

/// <summary>The outcome of a send: the mail and each recipient's fresh unread count, or what is wrong.</summary>
public sealed record MailSendOutcome(
    ContextMailMessage? Mail, string? ContextKey, IReadOnlyList<RecipientUnread> Recipients, Dictionary<string, string[]>? Errors, MailProblem? Problem)
{
    public static MailSendOutcome Invalid(Dictionary<string, string[]> errors) => new(null, null, [], errors, null);

    public static MailSendOutcome Refused(MailProblem problem) => new(null, null, [], null, problem);
}

/// <summary>What the sender sees of a mail they sent.</summary>
public sealed record MailSentView(Guid Id, string ContextKey, string Kind, string? Scope, string Language, int RecipientCount, DateTimeOffset CreatedAt)
{
    public static MailSentView From(MailSendOutcome sent) =>
        new(sent.Mail!.Id, sent.ContextKey!, sent.Mail.Kind, sent.Mail.Scope, sent.Mail.Language, sent.Recipients.Count, sent.Mail.CreatedAt);
}

/// <summary>The sender of a mail as its reader sees it: the name it had when it was sent.</summary>
public sealed record MailFrom(string Kind, string? ExternalId, string? Name);

/// <summary>A mail as one recipient sees it. <see cref="Translation"/> is there when a language was asked (<c>?lang=</c>).</summary>
public sealed record MailView(
    Guid Id,
    string ContextKey,
    string Kind,
    MailFrom From,
    string? RecipientName,
    string? Scope,
    string? SystemEvent,
    string Subject,
    string Body,
    string Language,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReadAt,
    MailTranslation? Translation = null)
{
    public string Cursor => Inbox.InboxCursor.Encode(CreatedAt, Id);
}

/// <summary>A page of a user's mail in a context, newest first; <see cref="NextCursor"/> (older) is null on the last page.</summary>
public sealed record MailPage(IReadOnlyList<MailView> Items, string? NextCursor, int Unread);

/// <summary>The state of one mail after a read, with the context's unread count after it.</summary>
public sealed record MailRead(Guid Id, DateTimeOffset ReadAt, int Unread);

public static class ContextMailCodes
{
    /// <summary>403: the sender may not send that mail, or the reader may not read it (e.g. personal mail after removal).</summary>
    public const string NotAllowed = "COMMS_MAIL_NOT_ALLOWED";

    /// <summary>409: deleting a mail that has not been read.</summary>
    public const string NotRead = "COMMS_MAIL_NOT_READ";
}
