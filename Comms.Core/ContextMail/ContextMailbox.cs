using Comms.Core.Contexts;
using Comms.Core.Data;
using Comms.Core.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.ContextMail;

/// <summary>The outcome of a mailbox action: a value, or a refusal (404 not yours or gone, 403 not readable any more, 409 not read).</summary>
public sealed record MailboxOutcome<T>(T? Value, MailProblem? Problem) where T : class;

/// <summary>
/// A user's mail in their contexts (SPEC S8): lists with a cursor, one mail (translated on request), idempotent
/// mark-read, delete-after-read, and the unread badges. A user sees only rows addressed to them; once they are no
/// longer an active member they still see the admin and system mail addressed to them, never personal mail.
/// </summary>
public sealed class ContextMailbox(IDbContextFactory<CommsDbContext> contexts, MailTranslations translations, TimeProvider time)
{
    public const int MaxPageSize = 100;

    /// <summary>
    /// A user's unread mail rows that they may read now: personal mail counts only while they are an active member
    /// (or the owner).
    /// </summary>
    internal static IQueryable<ContextMailRecipient> UnreadQuery(CommsDbContext db, string tenantId, IReadOnlyList<string> externalIds) =>
        Visible(db, db.ContextMailRecipients.Where(r => r.TenantId == tenantId && externalIds.Contains(r.ExternalId)
            && r.ReadAt == null && r.DeletedAt == null));

    private static IQueryable<ContextMailRecipient> Visible(CommsDbContext db, IQueryable<ContextMailRecipient> rows) =>
        rows.Where(r => r.Kind != ContextMailKinds.Personal
            || db.ContextMembers.Any(m => m.ContextId == r.ContextId && m.ExternalId == r.ExternalId
                && (m.Status == MemberStatus.Active || m.Status == MemberStatus.Attending))
            || db.Contexts.Any(c => c.Id == r.ContextId && c.OwnerExternalId == r.ExternalId));

    public async Task<MailboxOutcome<MailPage>> ListAsync(string tenantId, string externalId, string contextKey, InboxPosition? before, int limit,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var context = await FindContextAsync(db, tenantId, contextKey, cancellationToken);
        if (context is null)
        {
            return new(null, ContextNotFound(contextKey));
        }

        var rows = Visible(db, db.ContextMailRecipients.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.ExternalId == externalId && r.ContextId == context.Id && r.DeletedAt == null));
        if (before is { } at)
        {
            rows = rows.Where(r => r.CreatedAt < at.CreatedAt || (r.CreatedAt == at.CreatedAt && r.MailId.CompareTo(at.Id) < 0));
        }

        limit = Math.Clamp(limit, 1, MaxPageSize);
        var page = await rows.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.MailId).Take(limit + 1)
            .Join(db.ContextMail, r => r.MailId, m => m.Id, (r, m) => new { Row = r, Mail = m })
            .ToListAsync(cancellationToken);
        var items = page.Take(limit).Select(x => View(contextKey, x.Mail, x.Row)).ToList();
        var unread = await UnreadQuery(db, tenantId, [externalId]).CountAsync(r => r.ContextId == context.Id, cancellationToken);
        return new(new MailPage(items, page.Count > limit ? items[^1].Cursor : null, unread), null);
    }

    public async Task<MailboxOutcome<MailView>> GetAsync(string tenantId, string externalId, string contextKey, Guid mailId, string? language,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var (context, row, problem) = await FindRowAsync(db, tenantId, externalId, contextKey, mailId, cancellationToken);
        if (problem is not null)
        {
            return new(null, problem);
        }

        var mail = await db.ContextMail.AsNoTracking().FirstAsync(m => m.Id == mailId, cancellationToken);
        var view = View(context!.Key, mail, row!);
        return new(language is null ? view : view with { Translation = await translations.TranslateAsync(mail, language, cancellationToken) }, null);
    }

    public async Task<MailboxOutcome<MailRead>> MarkReadAsync(string tenantId, string externalId, string contextKey, Guid mailId,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var (context, row, problem) = await FindRowAsync(db, tenantId, externalId, contextKey, mailId, cancellationToken, track: true);
        if (problem is not null)
        {
            return new(null, problem);
        }

        row!.ReadAt ??= MailAccess.Now(time);
        await db.SaveChangesAsync(cancellationToken);
        var unread = await UnreadQuery(db, tenantId, [externalId]).CountAsync(r => r.ContextId == context!.Id, cancellationToken);
        return new(new MailRead(mailId, row.ReadAt.Value, unread), null);
    }

    /// <summary>Deletes a read mail for this recipient (others keep theirs); answers the context's unread count.</summary>
    public async Task<MailboxOutcome<ContextUnread>> DeleteAsync(string tenantId, string externalId, string contextKey, Guid mailId,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var (context, row, problem) = await FindRowAsync(db, tenantId, externalId, contextKey, mailId, cancellationToken, track: true);
        if (problem is not null)
        {
            return new(null, problem);
        }

        if (row!.ReadAt is null)
        {
            return new(null, new MailProblem(409, ContextMailCodes.NotRead, "Mail not read.",
                "A mail is deleted only after it was read: open it (or POST …/read) first."));
        }

        row.DeletedAt = MailAccess.Now(time);
        await db.SaveChangesAsync(cancellationToken);
        var unread = await UnreadQuery(db, tenantId, [externalId]).CountAsync(r => r.ContextId == context!.Id, cancellationToken);
        return new(new ContextUnread(context!.Key, unread, time.GetUtcNow()), null);
    }

    /// <summary>The unread badge of every context where the user has unread mail they may read.</summary>
    public async Task<ContextUnreadCounts> UnreadAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var counts = await UnreadQuery(db, tenantId, [externalId])
            .GroupBy(r => r.ContextId).Select(g => new { ContextId = g.Key, Count = g.Count() })
            .Join(db.Contexts, g => g.ContextId, c => c.Id, (g, c) => new { c.Key, g.Count })
            .OrderBy(x => x.Key)
            .ToListAsync(cancellationToken);
        return new ContextUnreadCounts([.. counts.Select(c => new ContextUnreadEntry(c.Key, c.Count))], counts.Sum(c => c.Count), time.GetUtcNow());
    }

    /// <summary>One context's badge for one user (pushed after a send, read or delete).</summary>
    public async Task<ContextUnread> UnreadInAsync(string tenantId, string externalId, string contextKey, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var count = await UnreadQuery(db, tenantId, [externalId])
            .Join(db.Contexts.Where(c => c.Key == contextKey), r => r.ContextId, c => c.Id, (r, c) => r)
            .CountAsync(cancellationToken);
        return new ContextUnread(contextKey, count, time.GetUtcNow());
    }

    private static async Task<(Context?, ContextMailRecipient?, MailProblem?)> FindRowAsync(CommsDbContext db, string tenantId, string externalId,
        string contextKey, Guid mailId, CancellationToken cancellationToken, bool track = false)
    {
        var context = await FindContextAsync(db, tenantId, contextKey, cancellationToken);
        if (context is null)
        {
            return (null, null, ContextNotFound(contextKey));
        }

        var rows = db.ContextMailRecipients.Where(r => r.MailId == mailId && r.ExternalId == externalId && r.TenantId == tenantId
            && r.ContextId == context.Id && r.DeletedAt == null);
        var row = await (track ? rows : rows.AsNoTracking()).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return (context, null, new MailProblem(404, "COMMS_NOT_FOUND", "Mail not found.", $"You have no mail {mailId} in context '{contextKey}'."));
        }

        if (row.Kind == ContextMailKinds.Personal && context.OwnerExternalId != externalId)
        {
            var status = await db.ContextMembers.Where(m => m.ContextId == context.Id && m.ExternalId == externalId)
                .Select(m => m.Status).FirstOrDefaultAsync(cancellationToken);
            if (!MailAccess.MayRead(row.Kind, status, readerIsOwner: false))
            {
                return (context, null, new MailProblem(403, ContextMailCodes.NotAllowed, "Mail not readable.",
                    "Personal mail is readable only while you are an active member of the context; admin and system mail stay readable."));
            }
        }

        return (context, row, null);
    }

    private static Task<Context?> FindContextAsync(CommsDbContext db, string tenantId, string key, CancellationToken cancellationToken) =>
        db.Contexts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Key == key, cancellationToken);

    private static MailProblem ContextNotFound(string key) =>
        new(404, ContextService.ContextNotFound, "Context not found.", $"There is no context '{key}'.");

    private static MailView View(string contextKey, ContextMailMessage mail, ContextMailRecipient row) =>
        new(mail.Id, contextKey, mail.Kind, new MailFrom(mail.SenderKind, mail.SenderExternalId, mail.SenderName), row.NameSnapshot,
            mail.Scope, mail.SystemEvent, mail.Subject, mail.Body, mail.Language, mail.CreatedAt, row.ReadAt);
}
