using Comms.Core.Data;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Contexts;

/// <summary>The outcome of a change of a scheduled message: the message, or errors by field, or a problem code.</summary>
public sealed record MessageChange(ScheduledMessageView? Message, Dictionary<string, string[]>? Errors = null, string? Problem = null, string? Status = null);

/// <summary>
/// A context's scheduled messages (SPEC S7): list, live recipient count per audience, create, edit, send now, cancel,
/// and the per-recipient outcomes. Edits lock the row, so an edit and the scheduler's claim never interleave: once a
/// message has left <c>draft|scheduled</c> an edit or cancel is refused (<see cref="NotEditable"/>, answered 409).
/// </summary>
public sealed class ScheduledMessageService(IDbContextFactory<CommsDbContext> contexts, CatalogChanges catalogChanges, TimeProvider time)
{
    public const string NotEditable = "COMMS_MESSAGE_NOT_EDITABLE";
    public const string NotFound = "COMMS_NOT_FOUND";

    public async Task<IReadOnlyList<ScheduledMessageView>> ListAsync(Context context, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ScheduledMessages.AsNoTracking().Where(m => m.ContextId == context.Id)
            .OrderBy(m => m.SendAt ?? m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        return [.. rows.Select(ScheduledMessageView.From)];
    }

    /// <summary>How many members the audience holds right now (removed and blocked members never count).</summary>
    public async Task<int> CountAsync(Context context, string audience, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Audience(db, context.Id, audience).CountAsync(cancellationToken);
    }

    /// <summary>The members an audience preset selects.</summary>
    internal static IQueryable<ContextMember> Audience(CommsDbContext db, Guid contextId, string audience)
    {
        var members = db.ContextMembers.AsNoTracking().Where(m => m.ContextId == contextId);
        return audience == MessageAudience.Everyone
            ? members.Where(m => m.Status != MemberStatus.Removed && m.Status != MemberStatus.Blocked)
            : members.Where(m => m.Status == audience);
    }

    public async Task<MessageChange> CreateAsync(Context context, ScheduledMessageRequest? request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = ScheduledMessageValidator.Validate(request, null, now);
        if (errors.Count > 0)
        {
            return new MessageChange(null, errors);
        }

        if (await ContextBuiltIns.EnsureAsync(contexts, context.TenantId, now, cancellationToken))
        {
            await catalogChanges.PublishAsync(context.TenantId);
        }

        var message = new ScheduledMessage
        {
            Id = Guid.CreateVersion7(now), TenantId = context.TenantId, ContextId = context.Id,
            Audience = request!.Audience ?? MessageAudience.Everyone, Channels = [.. request.Channels ?? [.. ScheduledMessageDefaults.Channels]],
            Subject = request.Subject!, Body = request.Body!, Status = request.Status ?? ScheduledMessageStatus.Draft, SendAt = request.SendAt,
            CreatedAt = now, UpdatedAt = now,
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ScheduledMessages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        return new MessageChange(ScheduledMessageView.From(message));
    }

    public Task<MessageChange> UpdateAsync(Context context, Guid id, ScheduledMessageRequest? request, CancellationToken cancellationToken) =>
        ChangeAsync(context, id, (message, now) =>
        {
            var errors = ScheduledMessageValidator.Validate(request, message, now);
            if (errors.Count > 0)
            {
                return errors;
            }

            message.Audience = request!.Audience ?? message.Audience;
            message.Channels = request.Channels is { } channels ? [.. channels] : message.Channels;
            message.Subject = request.Subject ?? message.Subject;
            message.Body = request.Body ?? message.Body;
            message.Status = request.Status ?? message.Status;
            message.SendAt = request.SendAt ?? message.SendAt;
            return null;
        }, cancellationToken);

    /// <summary>Schedules the message for now; the scheduler fires it at its next round (the caller wakes it).</summary>
    public Task<MessageChange> SendNowAsync(Context context, Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(context, id, (message, now) =>
        {
            message.Status = ScheduledMessageStatus.Scheduled;
            message.SendAt = now;
            return null;
        }, cancellationToken);

    public Task<MessageChange> CancelAsync(Context context, Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(context, id, (message, now) =>
        {
            message.Status = ScheduledMessageStatus.Cancelled;
            message.CancelledAt = now;
            return null;
        }, cancellationToken);

    public async Task<ScheduledMessageDetails?> GetAsync(Context context, Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var message = await db.ScheduledMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id && m.ContextId == context.Id, cancellationToken);
        if (message is null)
        {
            return null;
        }

        var deliveries = await db.ScheduledMessageDeliveries.AsNoTracking().Where(d => d.ScheduledMessageId == id)
            .OrderBy(d => d.ExternalId).ToListAsync(cancellationToken);
        var eventIds = deliveries.SelectMany(d => d.EventIds).ToList();
        var sent = await db.Messages.AsNoTracking().Where(m => m.TenantId == context.TenantId && m.EventId != null && eventIds.Contains(m.EventId.Value))
            .Select(m => new { m.EventId, m.RecipientId, m.Channel, m.Status, m.LastError }).ToListAsync(cancellationToken);
        var decisions = await db.Decisions.AsNoTracking().Where(d => d.TenantId == context.TenantId && eventIds.Contains(d.EventId) && d.MessageId == null)
            .Select(d => new { d.EventId, d.RecipientId, d.Channel, d.Outcome, d.Reason }).ToListAsync(cancellationToken);
        var views = deliveries.Select(d =>
        {
            var channels = sent.Where(m => d.EventIds.Contains(m.EventId!.Value) && m.RecipientId == d.RecipientId)
                .Select(m => new ChannelOutcome(m.Channel, m.Status, null))
                .Concat(decisions.Where(x => d.EventIds.Contains(x.EventId) && x.Channel != "*" && (x.RecipientId == d.RecipientId || x.RecipientId == null))
                    .Select(x => new ChannelOutcome(x.Channel, x.Outcome, x.Reason)))
                .OrderBy(c => c.Channel, StringComparer.Ordinal).ToList();
            return new DeliveryView(d.ExternalId, d.DisplayName, d.Status, d.Error, channels, d.CreatedAt);
        }).ToList();
        return new ScheduledMessageDetails(ScheduledMessageView.From(message), views);
    }

    /// <summary>Locks the message, refuses unless it is still <c>draft|scheduled</c>, applies the change, commits.</summary>
    private async Task<MessageChange> ChangeAsync(
        Context context, Guid id, Func<ScheduledMessage, DateTimeOffset, Dictionary<string, string[]>?> change, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var message = (await db.ScheduledMessages
            .FromSqlInterpolated($"SELECT * FROM scheduled_messages WHERE id = {id} AND context_id = {context.Id} FOR UPDATE")
            .ToListAsync(cancellationToken)).FirstOrDefault();
        if (message is null)
        {
            return new MessageChange(null, Problem: NotFound);
        }

        if (!ScheduledMessageStatus.IsEditable(message.Status))
        {
            return new MessageChange(null, Problem: NotEditable, Status: message.Status);
        }

        var now = time.GetUtcNow();
        if (change(message, now) is { } errors)
        {
            return new MessageChange(null, errors);
        }

        message.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new MessageChange(ScheduledMessageView.From(message));
    }
}
