using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comms.Core.Audit;
using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.SupportInbox;

/// <summary>
/// The operator inbox (issue 12). An inbound mail joins the thread of its reply-address token (<c>reply+{token}@…</c> in
/// <c>to</c> or the envelope), else the thread of a mail it answers (<c>In-Reply-To</c>, then <c>References</c> newest
/// first, matched against the Message-Ids of the inbox's mails — operators' replies included), else the thread of the
/// pipeline message it answers (our <c>{messageId}@{tenant}.comms</c> ids: a direct message or any other mail, by the
/// message's cause), else a new thread. A mail on a closed thread reopens it; a repeat of a Message-Id already in the
/// thread (SendGrid retries) is not stored twice. Every change is audited in the same transaction, without bodies or
/// addresses.
/// </summary>
public sealed partial class SupportInboxService(IDbContextFactory<CommsDbContext> contexts, AuditLog audit, TimeProvider time)
{
    public const string SendGridActor = "provider:sendgrid";
    public const int MaxReplyLength = 100_000;

    /// <summary>The wake-up topic of the dispatcher's reply sender.</summary>
    public const string WakeTopic = "inbox-replies";

    public async Task<InboundReceipt> ReceiveAsync(InboundMail mail, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var (thread, threadedBy, relatedTo) = await FindThreadAsync(db, mail, cancellationToken);
        if (thread is not null && mail.MessageId is not null
            && await db.SupportInboxMessages.AsNoTracking().FirstOrDefaultAsync(
                m => m.ThreadId == thread.Id && m.MessageIdHeader == mail.MessageId && m.Direction == InboxDirections.Inbound, cancellationToken) is { } repeat)
        {
            return new InboundReceipt(thread.Id, repeat.Id, threadedBy, Duplicate: true);
        }

        if (thread is null)
        {
            thread = new SysSupportInboxThread
            {
                Id = Guid.CreateVersion7(now), Subject = Truncate(mail.Subject, InboundMailParser.MaxSubjectLength), Counterpart = mail.FromAddress,
                ReplyToken = NewToken(), RelatedTo = relatedTo, CreatedAt = now, LastActivityAt = now,
            };
            db.SupportInboxThreads.Add(thread);
        }

        var reopened = thread.Status == InboxThreadStatuses.Closed;
        thread.Status = InboxThreadStatuses.Open;
        thread.ClosedAt = null;
        thread.LastActivityAt = now;
        var message = new SysSupportInboxMessage
        {
            Id = Guid.CreateVersion7(now), ThreadId = thread.Id, Direction = InboxDirections.Inbound, FromAddress = mail.FromAddress,
            ToAddress = mail.To is null ? null : Truncate(mail.To, 4096), Subject = mail.Subject, Text = mail.Text, Html = mail.Html, Headers = mail.Headers,
            Envelope = mail.Envelope, Charsets = mail.Charsets,
            Attachments = mail.Attachments.Count == 0 ? null : JsonSerializer.Serialize(mail.Attachments, JsonSerializerOptions.Web),
            MessageIdHeader = mail.MessageId is null ? null : Truncate(mail.MessageId, 998), InReplyTo = mail.InReplyTo is null ? null : Truncate(mail.InReplyTo, 998),
            References = mail.References.Count == 0 ? null : string.Join(' ', mail.References.Select(r => $"<{r}>")),
            Status = InboxMessageStatuses.Received, CreatedAt = now,
        };
        db.SupportInboxMessages.Add(message);
        audit.Add(db, null, SendGridActor, InboxAuditActions.Received, InboxAuditActions.Target(thread.Id),
            new { messageId = message.Id, threadedBy, reopened, attachments = mail.Attachments.Count });
        await db.SaveChangesAsync(cancellationToken);
        return new InboundReceipt(thread.Id, message.Id, threadedBy, Duplicate: false);
    }

    public async Task<InboxThreadPage> ListAsync(string filter, Guid? me, int limit, string? cursor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.SupportInboxThreads.AsNoTracking();
        query = filter switch
        {
            InboxListFilters.Closed => query.Where(t => t.Status == InboxThreadStatuses.Closed),
            InboxListFilters.AssignedToMe => query.Where(t => t.Status == InboxThreadStatuses.Open && t.AssignedOperatorId == me),
            _ => query.Where(t => t.Status == InboxThreadStatuses.Open),
        };
        if (ReadCursor(cursor) is { } after)
        {
            query = query.Where(t => t.LastActivityAt < after.At || (t.LastActivityAt == after.At && t.Id.CompareTo(after.Id) < 0));
        }

        var rows = await query.OrderByDescending(t => t.LastActivityAt).ThenByDescending(t => t.Id).Take(limit + 1)
            .Select(t => new { Thread = t, Count = t.Messages.Count })
            .ToListAsync(cancellationToken);
        var items = rows.Take(limit).Select(r => Summary(r.Thread, r.Count)).ToList();
        return new InboxThreadPage(items, rows.Count > limit ? WriteCursor(items[^1].LastActivityAt, items[^1].Id) : null);
    }

    public async Task<InboxThreadView?> GetAsync(Guid threadId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var thread = await db.SupportInboxThreads.AsNoTracking().SingleOrDefaultAsync(t => t.Id == threadId, cancellationToken);
        if (thread is null)
        {
            return null;
        }

        var messages = await db.SupportInboxMessages.AsNoTracking().Where(m => m.ThreadId == threadId)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        return new InboxThreadView(Summary(thread, messages.Count), [.. messages.Select(InboxMessageView.Of)]);
    }

    public Task<InboxThreadView?> AssignAsync(Guid threadId, Guid operatorId, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(threadId, actor, InboxAuditActions.Assigned, thread =>
        {
            var previous = thread.AssignedOperatorId;
            thread.AssignedOperatorId = operatorId;
            return previous == operatorId ? null : new { operatorId, previousOperatorId = previous };
        }, cancellationToken);

    public Task<InboxThreadView?> CloseAsync(Guid threadId, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(threadId, actor, InboxAuditActions.Closed, thread =>
        {
            if (thread.Status == InboxThreadStatuses.Closed)
            {
                return null;
            }

            thread.Status = InboxThreadStatuses.Closed;
            thread.ClosedAt = time.GetUtcNow();
            return new { previousStatus = InboxThreadStatuses.Open };
        }, cancellationToken);

    public Task<InboxThreadView?> ReopenAsync(Guid threadId, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(threadId, actor, InboxAuditActions.Reopened, thread =>
        {
            if (thread.Status == InboxThreadStatuses.Open)
            {
                return null;
            }

            thread.Status = InboxThreadStatuses.Open;
            thread.ClosedAt = null;
            return new { previousStatus = InboxThreadStatuses.Closed };
        }, cancellationToken);

    /// <summary>
    /// Queues an operator's reply to the thread's counterpart (the dispatcher sends it): <c>In-Reply-To</c> the thread's
    /// last inbound mail, <c>References</c> that mail's references and its id. Null when there is no such thread.
    /// </summary>
    public async Task<InboxMessageView?> ReplyAsync(Guid threadId, string body, Guid? operatorId, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var thread = await db.SupportInboxThreads.SingleOrDefaultAsync(t => t.Id == threadId, cancellationToken);
        if (thread is null)
        {
            return null;
        }

        var last = await db.SupportInboxMessages.AsNoTracking().Where(m => m.ThreadId == threadId && m.Direction == InboxDirections.Inbound)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstOrDefaultAsync(cancellationToken);
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var references = new List<string>();
        if (last?.References is { } earlier)
        {
            references.AddRange(InboundMailParser.MessageIds(earlier));
        }

        if (last?.MessageIdHeader is { } lastId && !references.Contains(lastId, StringComparer.Ordinal))
        {
            references.Add(lastId);
        }

        var subject = thread.Subject.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? thread.Subject : "Re: " + thread.Subject;
        var message = new SysSupportInboxMessage
        {
            Id = id, ThreadId = threadId, Direction = InboxDirections.Outbound, FromAddress = "", ToAddress = thread.Counterpart,
            Subject = Truncate(subject, InboundMailParser.MaxSubjectLength), Text = body, MessageIdHeader = OutboundMessageId(id),
            InReplyTo = last?.MessageIdHeader, References = references.Count == 0 ? null : string.Join(' ', references.Select(r => $"<{r}>")),
            OperatorId = operatorId, Status = InboxMessageStatuses.Queued, CreatedAt = now,
        };
        db.SupportInboxMessages.Add(message);
        thread.LastActivityAt = now;
        audit.Add(db, null, actor, InboxAuditActions.Replied, InboxAuditActions.Target(threadId), new { messageId = id, length = body.Length });
        await db.SaveChangesAsync(cancellationToken);
        return InboxMessageView.Of(message);
    }

    /// <summary>The Message-Id of an operator's reply (without brackets): <c>{id}@inbox.comms</c>.</summary>
    public static string OutboundMessageId(Guid id) => $"{id:D}@inbox.comms";

    private async Task<InboxThreadView?> ChangeAsync(
        Guid threadId, string actor, string action, Func<SysSupportInboxThread, object?> change, CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var thread = await db.SupportInboxThreads.SingleOrDefaultAsync(t => t.Id == threadId, cancellationToken);
            if (thread is null)
            {
                return null;
            }

            // Nothing changed (already closed, already assigned to them): nothing written.
            if (change(thread) is { } metadata)
            {
                audit.Add(db, null, actor, action, InboxAuditActions.Target(threadId), metadata);
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        return await GetAsync(threadId, cancellationToken);
    }

    private static async Task<(SysSupportInboxThread? Thread, string By, string? RelatedTo)> FindThreadAsync(
        CommsDbContext db, InboundMail mail, CancellationToken cancellationToken)
    {
        foreach (var token in mail.ToAddresses.Select(InboundMailParser.ReplyToken).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await db.SupportInboxThreads.SingleOrDefaultAsync(t => t.ReplyToken == token, cancellationToken) is { } byToken)
            {
                return (byToken, "reply_token", null);
            }
        }

        // In-Reply-To first, then References from the newest.
        var ids = new List<string>();
        if (mail.InReplyTo is not null)
        {
            ids.Add(mail.InReplyTo);
        }

        ids.AddRange(Enumerable.Reverse(mail.References).Where(r => !ids.Contains(r, StringComparer.Ordinal)));
        if (ids.Count > 0)
        {
            var known = await db.SupportInboxMessages.AsNoTracking().Where(m => m.MessageIdHeader != null && ids.Contains(m.MessageIdHeader))
                .Select(m => new { m.MessageIdHeader, m.ThreadId }).ToListAsync(cancellationToken);
            foreach (var id in ids)
            {
                if (known.FirstOrDefault(k => k.MessageIdHeader == id) is { } match)
                {
                    return (await db.SupportInboxThreads.SingleAsync(t => t.Id == match.ThreadId, cancellationToken), "references", null);
                }
            }

            foreach (var id in ids)
            {
                if (PipelineMessageId().Match(id) is not { Success: true } ours)
                {
                    continue;
                }

                var messageId = Guid.Parse(ours.Groups[1].Value, CultureInfo.InvariantCulture);
                var tenant = ours.Groups[2].Value;
                var cause = await db.Messages.AsNoTracking().Where(m => m.Id == messageId && m.TenantId == tenant).Select(m => m.CauseRef)
                    .FirstOrDefaultAsync(cancellationToken);
                if (cause is null)
                {
                    continue;
                }

                var related = cause.StartsWith("sys-", StringComparison.Ordinal) ? cause : "message:" + messageId;
                var thread = await db.SupportInboxThreads.Where(t => t.RelatedTo == related).OrderByDescending(t => t.LastActivityAt)
                    .FirstOrDefaultAsync(cancellationToken);
                return (thread, "related", related);
            }
        }

        return (null, "new", null);
    }

    private static InboxThreadSummary Summary(SysSupportInboxThread t, int count) =>
        new(t.Id, t.Subject, t.Counterpart, t.Status, t.AssignedOperatorId, t.RelatedTo, count, t.CreatedAt, t.LastActivityAt, t.ClosedAt);

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    /// <summary>The Message-Id the dispatcher gives pipeline mail: <c>{messageId}@{tenant}.comms</c>.</summary>
    [GeneratedRegex(@"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})@([^@\s]{1,64})\.comms$")]
    private static partial Regex PipelineMessageId();
}
