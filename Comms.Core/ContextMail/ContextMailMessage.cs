namespace Comms.Core.ContextMail;

/// <summary>
/// One mail sent inside a context (SPEC S8): written once, never changed. Who received it, and what each recipient did
/// with it, is in <see cref="ContextMailRecipient"/>; its translations in <see cref="ContextMailTranslation"/>.
/// The body is plain text: nothing ever interprets it as HTML.
/// </summary>
public sealed class ContextMailMessage
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid ContextId { get; set; }

    /// <summary><see cref="ContextMailKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary><see cref="ContextMailSenders"/>: a member, the owner, an operator (API key) or the system.</summary>
    public required string SenderKind { get; set; }

    /// <summary>The sending member's external id (null for operator and system mail).</summary>
    public string? SenderExternalId { get; set; }

    /// <summary>The sender's name when it was sent (survives renames).</summary>
    public string? SenderName { get; set; }

    /// <summary>The broadcast scope of an admin broadcast (<see cref="ContextMailScopes"/>), null for one recipient.</summary>
    public string? Scope { get; set; }

    /// <summary>What produced a system mail (<c>context.paused</c>, <c>member.removed</c>, …).</summary>
    public string? SystemEvent { get; set; }

    public required string Subject { get; set; }
    public required string Body { get; set; }

    /// <summary>The detected language (BCP 47), <c>und</c> when unsure.</summary>
    public required string Language { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One recipient of a <see cref="ContextMailMessage"/>: the unread badge counts rows with neither read_at nor deleted_at.</summary>
public sealed class ContextMailRecipient
{
    public Guid MailId { get; set; }
    public required string TenantId { get; set; }
    public Guid ContextId { get; set; }
    public required string ExternalId { get; set; }

    /// <summary>The recipient's name when the mail was sent (survives renames and removal).</summary>
    public string? NameSnapshot { get; set; }

    /// <summary>The mail's kind, copied so that lists and counts of a removed member skip personal mail from the index.</summary>
    public required string Kind { get; set; }

    /// <summary>The mail's time, copied: the list's order is (created_at, mail_id).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>A mail in another language, made once by the translation provider and reused for every recipient.</summary>
public sealed class ContextMailTranslation
{
    public Guid MailId { get; set; }
    public required string Language { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public required string Provider { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class ContextMailKinds
{
    public const string Personal = "personal";
    public const string Admin = "admin";
    public const string System = "system";
}

public static class ContextMailSenders
{
    public const string Member = "member";
    public const string Owner = "owner";
    public const string Operator = "operator";
    public const string System = "system";
}

public static class ContextMailScopes
{
    public const string Active = "active";
    public const string ActiveAndRemoved = "active_and_removed";
    public const string AllMembers = "all_members";

    public static readonly IReadOnlyList<string> All = [Active, ActiveAndRemoved, AllMembers];
}
