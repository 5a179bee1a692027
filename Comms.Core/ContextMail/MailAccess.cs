using Comms.Core.Contexts;

namespace Comms.Core.ContextMail;

/// <summary>
/// Who may do what with mail in a context (SPEC S8), as pure rules over member statuses. "Active" is a member taking
/// part: <c>active</c>, or the RSVP <c>attending</c>; the owner always counts as active. A member who is no longer
/// active (removed, blocked, or an RSVP other than attending) keeps reading the admin and system mail addressed to
/// them, never personal mail.
/// </summary>
public static class MailAccess
{
    public static readonly IReadOnlyList<string> ActiveStatuses = [MemberStatus.Active, MemberStatus.Attending];

    /// <summary>Now, to PostgreSQL's precision (microseconds), so that what a write answers is what a later read answers.</summary>
    public static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % 10));
    }

    public static bool IsActive(string? status) => status is MemberStatus.Active or MemberStatus.Attending;

    /// <summary>The member statuses a broadcast scope reaches.</summary>
    public static IReadOnlyList<string> StatusesOf(string scope) => scope switch
    {
        ContextMailScopes.Active => ActiveStatuses,
        ContextMailScopes.ActiveAndRemoved => [.. ActiveStatuses, .. MemberStatus.Gone],
        _ => MemberStatus.All,
    };

    /// <summary>May a reader whose status is <paramref name="readerStatus"/> (null: not a member) see a mail of <paramref name="kind"/>?</summary>
    public static bool MayRead(string kind, string? readerStatus, bool readerIsOwner) =>
        kind != ContextMailKinds.Personal || readerIsOwner || IsActive(readerStatus);
}
