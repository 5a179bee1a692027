using System.Text.Json;
using Comms.Core.Contexts;
using Comms.Core.Data;
using Comms.Core.Events;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Comms.Core.ContextMail;

/// <summary>
/// Sends mail inside a context (SPEC S8): personal (an active member to an active member), admin (the owner or an
/// operator to one member of any status, or a broadcast to a scope, the sender excluded) and system (the lifecycle's
/// explanations). One <see cref="ContextMailMessage"/> row, one <see cref="ContextMailRecipient"/> row per recipient
/// with their name as it is now, and one <see cref="ReceivedEvent"/> pipeline event per recipient carrying their fresh
/// unread count (routed push-only unless the tenant routes it otherwise, <see cref="ContextMailRoute"/>), all in one
/// transaction. Live pushes are the caller's.
/// </summary>
public sealed partial class ContextMailService(
    IDbContextFactory<CommsDbContext> contexts, MailLanguageDetector languages, TenantCatalog catalog, WakeUps wakeUps,
    IOptions<ContextMailOptions> options, TimeProvider time, ILogger<ContextMailService> logger)
{
    /// <summary>The event each new mail raises for each recipient (push only by default: the mailbox is the durable copy).</summary>
    public const string ReceivedEvent = "context.mail.received";

    public async Task<MailSendOutcome> SendAsync(string tenantId, string contextKey, MailSender sender, MailRequest request,
        CancellationToken cancellationToken)
    {
        var errors = MailRequestValidator.Validate(request, options.Value, sender.Kind == ContextMailSenders.Operator);
        if (errors.Count > 0)
        {
            return MailSendOutcome.Invalid(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var context = await db.Contexts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Key == contextKey, cancellationToken);
        if (context is null)
        {
            return MailSendOutcome.Refused(new MailProblem(404, ContextService.ContextNotFound, "Context not found.",
                $"The tenant has no context '{contextKey}'."));
        }

        var isOwner = sender.ExternalId is not null && sender.ExternalId == context.OwnerExternalId;
        var admin = request.Scope is not null || request.Kind == ContextMailKinds.Admin || sender.Kind == ContextMailSenders.Operator;
        string? senderName = null;
        if (sender.ExternalId is { } me)
        {
            var member = await db.ContextMembers.AsNoTracking().FirstOrDefaultAsync(m => m.ContextId == context.Id && m.ExternalId == me, cancellationToken);
            if (admin && !isOwner)
            {
                return MailSendOutcome.Refused(NotAllowed("Only the context's owner sends admin mail and broadcasts (scope, kind admin)."));
            }

            if (!isOwner && !MailAccess.IsActive(member?.Status))
            {
                return MailSendOutcome.Refused(NotAllowed($"Only active members send mail in context '{contextKey}'."));
            }

            senderName = member?.DisplayName ?? await RecipientNameAsync(db, tenantId, me, cancellationToken);
        }

        var recipients = request.Scope is { } scope
            ? await ScopeAsync(db, context, scope, sender.ExternalId, cancellationToken)
            : null;
        if (recipients is null)
        {
            var (single, problem) = await OneRecipientAsync(db, context, request.To!, sender.ExternalId, admin, cancellationToken);
            if (problem is not null)
            {
                return MailSendOutcome.Refused(problem);
            }

            recipients = [single!];
        }

        var now = MailAccess.Now(time);
        var mail = new ContextMailMessage
        {
            Id = Guid.CreateVersion7(now), TenantId = tenantId, ContextId = context.Id,
            Kind = admin ? ContextMailKinds.Admin : ContextMailKinds.Personal,
            SenderKind = sender.Kind == ContextMailSenders.Member && isOwner ? ContextMailSenders.Owner : sender.Kind,
            SenderExternalId = sender.ExternalId, SenderName = senderName, Scope = request.Scope,
            Subject = request.Subject!, Body = request.Body!, Language = languages.Detect(request.Subject!, request.Body!), CreatedAt = now,
        };
        return await StoreAsync(db, context, mail, recipients, cancellationToken);
    }

    /// <summary>A system mail (the lifecycle's explanation) to the given members; nothing is sent to nobody.</summary>
    public async Task<MailSendOutcome> SendSystemAsync(Context context, string systemEvent, IReadOnlyList<string>? to, string subject, string body,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var members = db.ContextMembers.AsNoTracking().Where(m => m.ContextId == context.Id);
        members = to is null ? members.Where(m => MailAccess.ActiveStatuses.Contains(m.Status)) : members.Where(m => to.Contains(m.ExternalId));
        var recipients = await members.Select(m => new Addressee(m.ExternalId, m.DisplayName)).ToListAsync(cancellationToken);
        if (recipients.Count == 0)
        {
            return MailSendOutcome.Invalid(new() { ["to"] = ["No member to write to."] });
        }

        var now = MailAccess.Now(time);
        var mail = new ContextMailMessage
        {
            Id = Guid.CreateVersion7(now), TenantId = context.TenantId, ContextId = context.Id, Kind = ContextMailKinds.System,
            SenderKind = ContextMailSenders.System, SystemEvent = systemEvent, Subject = subject, Body = body,
            Language = languages.Detect(subject, body), CreatedAt = now,
        };
        return await StoreAsync(db, context, mail, recipients, cancellationToken);
    }

    private sealed record Addressee(string ExternalId, string? Name);

    private async Task<MailSendOutcome> StoreAsync(CommsDbContext db, Context context, ContextMailMessage mail, List<Addressee> recipients,
        CancellationToken cancellationToken)
    {
        // Names the host never gave a member come from the recipient's profile, as it is now.
        var unnamed = recipients.Where(r => r.Name is null).Select(r => r.ExternalId).ToList();
        var profileNames = unnamed.Count == 0 ? [] : await db.Recipients.AsNoTracking()
            .Where(r => r.TenantId == context.TenantId && unnamed.Contains(r.ExternalId))
            .ToDictionaryAsync(r => r.ExternalId, r => r.Name, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ContextMail.Add(mail);
        db.ContextMailRecipients.AddRange(recipients.Select(r => new ContextMailRecipient
        {
            MailId = mail.Id, TenantId = mail.TenantId, ContextId = mail.ContextId, ExternalId = r.ExternalId,
            NameSnapshot = r.Name ?? profileNames.GetValueOrDefault(r.ExternalId), Kind = mail.Kind, CreatedAt = mail.CreatedAt,
        }));
        await db.SaveChangesAsync(cancellationToken);

        var ids = recipients.Select(r => r.ExternalId).ToList();
        var counts = await ContextMailbox.UnreadQuery(db, context.TenantId, ids)
            .Where(r => r.ContextId == context.Id)
            .GroupBy(r => r.ExternalId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var unread = ids.Select(id => new RecipientUnread(id, counts.GetValueOrDefault(id))).ToList();

        var events = await PipelineEventsAsync(context, mail, unread, cancellationToken);
        db.Events.AddRange(events);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (events.Count > 0)
        {
            await wakeUps.PublishAsync(WakeUps.Events);
        }

        LogSent(logger, mail.Id, mail.Kind, recipients.Count, mail.Language);
        return new MailSendOutcome(mail, context.Key, unread, null, null);
    }

    /// <summary>
    /// One <see cref="ReceivedEvent"/> per recipient. The payload never carries the subject, the body or the sender
    /// (see <see cref="ContextMailRoute"/>); a tenant without a rule of its own gets the default push-only route.
    /// </summary>
    private async Task<List<EventRecord>> PipelineEventsAsync(Context context, ContextMailMessage mail, List<RecipientUnread> unread,
        CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(context.TenantId, cancellationToken);
        if (snapshot?.RuleFor(ReceivedEvent) is null)
        {
            return [];
        }

        var events = new List<EventRecord>(unread.Count);
        foreach (var recipient in unread)
        {
            var payload = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
            {
                ["context_key"] = context.Key, ["context_name"] = context.Name, ["mail_id"] = mail.Id, ["kind"] = mail.Kind,
                ["unread_count"] = recipient.Unread,
            });
            var submission = new EventSubmission
            {
                Name = ReceivedEvent, Recipients = [recipient.ExternalId], CauseRef = $"context-mail:{mail.Id}", Payload = payload,
            };
            var (record, problem) = await EventAdmission.AdmitAsync(snapshot, submission, null, null, mail.CreatedAt);
            if (record is null)
            {
                LogNotRouted(logger, mail.Id, problem!.Code);
                return [];
            }

            events.Add(record);
        }

        return events;
    }

    private static async Task<List<Addressee>> ScopeAsync(CommsDbContext db, Context context, string scope, string? sender, CancellationToken cancellationToken)
    {
        var statuses = MailAccess.StatusesOf(scope);
        return await db.ContextMembers.AsNoTracking()
            .Where(m => m.ContextId == context.Id && statuses.Contains(m.Status) && m.ExternalId != sender)
            .OrderBy(m => m.ExternalId)
            .Select(m => new Addressee(m.ExternalId, m.DisplayName))
            .ToListAsync(cancellationToken);
    }

    private static async Task<(Addressee?, MailProblem?)> OneRecipientAsync(
        CommsDbContext db, Context context, string to, string? sender, bool admin, CancellationToken cancellationToken)
    {
        if (to == sender)
        {
            return (null, NotAllowed("Mail goes to another member, not to yourself."));
        }

        var member = await db.ContextMembers.AsNoTracking().FirstOrDefaultAsync(m => m.ContextId == context.Id && m.ExternalId == to, cancellationToken);
        if (member is null && to == context.OwnerExternalId)
        {
            return (new Addressee(to, null), null);
        }

        if (member is null)
        {
            return (null, new MailProblem(404, ContextService.MemberNotFound, "Member not found.", $"'{to}' is not a member of context '{context.Key}'."));
        }

        return admin || MailAccess.IsActive(member.Status)
            ? (new Addressee(member.ExternalId, member.DisplayName), null)
            : (null, NotAllowed($"'{to}' is not an active member of context '{context.Key}' (status {member.Status}); only admin mail reaches them."));
    }

    private static Task<string?> RecipientNameAsync(CommsDbContext db, string tenantId, string externalId, CancellationToken cancellationToken) =>
        db.Recipients.AsNoTracking().Where(r => r.TenantId == tenantId && r.ExternalId == externalId).Select(r => r.Name).FirstOrDefaultAsync(cancellationToken);

    private static MailProblem NotAllowed(string detail) => new(403, ContextMailCodes.NotAllowed, "Mail not allowed.", detail);

    [LoggerMessage(1, LogLevel.Information, "Context mail {MailId} ({Kind}) sent to {Recipients} recipient(s), language {Language}")]
    private static partial void LogSent(ILogger logger, Guid mailId, string kind, int recipients, string language);

    [LoggerMessage(2, LogLevel.Warning, "Context mail {MailId} is not pushed through the pipeline: the tenant's rule refuses its event ({Reason})")]
    private static partial void LogNotRouted(ILogger logger, Guid mailId, string reason);
}
