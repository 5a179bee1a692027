using System.Text.Json;
using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Contexts;

/// <summary>The outcome of a context write: the stored context, or what is wrong (errors by field, or a problem code).</summary>
public sealed record ContextSaved(ContextView? Context, bool Created, Dictionary<string, string[]>? Errors, string? Problem = null);

/// <summary>
/// A tenant's contexts and their members (SPEC S7/S8). Every query is scoped to the tenant. Creating a dated
/// context seeds its four reminders in the same transaction. Lifecycle changes — status changes, members removed
/// or blocked — are announced to <see cref="IContextLifecycle"/> after they commit.
/// </summary>
public sealed class ContextService(IDbContextFactory<CommsDbContext> contexts, IContextLifecycle lifecycle, TimeProvider time)
{
    public const int MaxListedMembers = 1000;

    public const string ContextNotFound = "COMMS_CONTEXT_NOT_FOUND";
    public const string MemberNotFound = "COMMS_MEMBER_NOT_FOUND";
    public const string OwnerNotFound = "COMMS_RECIPIENT_NOT_FOUND";
    public const string StatusConflict = "COMMS_CONTEXT_STATUS_CONFLICT";

    public async Task<ContextSaved> UpsertAsync(string tenantId, string key, ContextRequest? request, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var context = await db.Contexts.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Key == key, cancellationToken);
        var created = context is null;
        var errors = ContextValidator.Validate(request, created, out var changes);
        if (changes is null)
        {
            return new ContextSaved(null, false, errors);
        }

        Guid? ownerId = null;
        if (changes.OwnerExternalId is { } owner)
        {
            ownerId = await db.Recipients.Where(r => r.TenantId == tenantId && r.ExternalId == owner).Select(r => (Guid?)r.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (ownerId is null)
            {
                return new ContextSaved(null, false, new() { ["ownerExternalId"] = [$"The tenant has no recipient '{owner}': create the host with PUT /v1/recipients/{{externalId}} first."] });
            }
        }

        var now = time.GetUtcNow();
        var previousStart = context?.StartsAt;
        if (context is null)
        {
            context = new Context
            {
                Id = Guid.CreateVersion7(now), TenantId = tenantId, Key = key, Kind = changes.Kind!, Name = changes.Name!,
                OwnerExternalId = changes.OwnerExternalId!, OwnerRecipientId = ownerId!.Value, CreatedAt = now,
            };
            db.Contexts.Add(context);
        }

        Apply(context, changes, ownerId);
        context.UpdatedAt = now;
        if (context.StartsAt is { } startsAt && startsAt != previousStart)
        {
            await ScheduleRemindersAsync(db, context, startsAt, created, now, cancellationToken);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (created && ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent PUT created it first: this one becomes the update.
            return await UpsertAsync(tenantId, key, request, cancellationToken);
        }

        return new ContextSaved(await ViewAsync(db, context, cancellationToken), created, null);
    }

    public async Task<ContextView?> GetAsync(string tenantId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var context = await db.Contexts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Key == key, cancellationToken);
        return context is null ? null : await ViewAsync(db, context, cancellationToken);
    }

    /// <summary>The context row itself (for access checks and the scheduler), or null.</summary>
    public async Task<Context?> FindAsync(string tenantId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Contexts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Key == key, cancellationToken);
    }

    /// <summary>Adds the recipient as a member or changes their status; answers (member, created) or a problem code.</summary>
    public async Task<(MemberView? Member, bool Created, string? Problem)> SetMemberAsync(
        string tenantId, string key, string externalId, MemberRequest request, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var context = await db.Contexts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Key == key, cancellationToken);
        if (context is null)
        {
            return (null, false, ContextNotFound);
        }

        var recipient = await db.Recipients.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.ExternalId == externalId).Select(r => new { r.Id, r.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (recipient is null)
        {
            return (null, false, OwnerNotFound);
        }

        var now = time.GetUtcNow();
        var member = await db.ContextMembers.FirstOrDefaultAsync(m => m.ContextId == context.Id && m.RecipientId == recipient.Id, cancellationToken);
        var created = member is null;
        var old = member?.Status;
        if (member is null)
        {
            member = new ContextMember
            {
                Id = Guid.CreateVersion7(now), TenantId = tenantId, ContextId = context.Id, RecipientId = recipient.Id, ExternalId = externalId,
                DisplayName = recipient.Name, JoinedAt = now,
            };
            db.ContextMembers.Add(member);
        }

        member.Status = request.Status!;
        member.DisplayName = request.DisplayName?.Trim() ?? member.DisplayName;
        member.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (created && ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return await SetMemberAsync(tenantId, key, externalId, request, cancellationToken);
        }

        if (old != member.Status)
        {
            await lifecycle.MemberStatusChangedAsync(context, member, old, member.Status, cancellationToken);
        }

        return (MemberView.From(member), created, null);
    }

    /// <summary>Marks the member removed (they keep their row: S8 mail addressed to them stays readable); null or a problem code.</summary>
    public async Task<string?> RemoveMemberAsync(string tenantId, string key, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var context = await db.Contexts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Key == key, cancellationToken);
        if (context is null)
        {
            return ContextNotFound;
        }

        var member = await db.ContextMembers.FirstOrDefaultAsync(m => m.ContextId == context.Id && m.ExternalId == externalId, cancellationToken);
        if (member is null)
        {
            return MemberNotFound;
        }

        var old = member.Status;
        if (old == MemberStatus.Removed)
        {
            return null;
        }

        member.Status = MemberStatus.Removed;
        member.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await lifecycle.MemberStatusChangedAsync(context, member, old, MemberStatus.Removed, cancellationToken);
        return null;
    }

    /// <summary>
    /// Pauses, cancels or resumes the context. Repeating the current state changes nothing; a cancelled context
    /// stays cancelled (<see cref="StatusConflict"/>). Cancelling also cancels its messages that have not fired.
    /// </summary>
    public async Task<(ContextView? Context, string? Problem, string? Detail)> ChangeStatusAsync(
        string tenantId, string key, string change, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var context = await db.Contexts
            .FromSqlInterpolated($"SELECT * FROM contexts WHERE tenant_id = {tenantId} AND key = {key} FOR UPDATE")
            .FirstOrDefaultAsync(cancellationToken);
        if (context is null)
        {
            return (null, ContextNotFound, null);
        }

        var old = context.Status;
        var target = change == "resumed" ? ContextStatus.Active : change;
        if (old == ContextStatus.Cancelled && target != ContextStatus.Cancelled)
        {
            return (null, StatusConflict, $"The context '{key}' is cancelled; it cannot be {change}.");
        }

        var now = time.GetUtcNow();
        if (old != target)
        {
            context.Status = target;
            context.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            if (target == ContextStatus.Cancelled)
            {
                await db.ScheduledMessages
                    .Where(m => m.ContextId == context.Id && (m.Status == ScheduledMessageStatus.Draft || m.Status == ScheduledMessageStatus.Scheduled))
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, ScheduledMessageStatus.Cancelled)
                        .SetProperty(m => m.CancelledAt, now).SetProperty(m => m.UpdatedAt, now), cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        if (old != target)
        {
            await lifecycle.ContextStatusChangedAsync(context, old, target, cancellationToken);
        }

        return (await ViewAsync(db, context, cancellationToken), null, null);
    }

    private static void Apply(Context context, ContextChanges changes, Guid? ownerId)
    {
        context.Kind = changes.Kind ?? context.Kind;
        context.Name = changes.Name ?? context.Name;
        if (changes.OwnerExternalId is { } owner)
        {
            context.OwnerExternalId = owner;
            context.OwnerRecipientId = ownerId!.Value;
        }

        context.StartsAt = changes.StartsAt ?? context.StartsAt;
        context.TimeZone = changes.TimeZone ?? context.TimeZone ?? (context.StartsAt is null ? null : Preferences.TimeZones.Default);
        context.Venue = changes.Venue is null ? context.Venue : changes.Venue.Length == 0 ? null : changes.Venue;
        context.Attributes = changes.Attributes ?? context.Attributes;
    }

    /// <summary>
    /// A new dated context gets its reminders; a context whose date moved re-times the reminders still scheduled
    /// (cancelling those whose new time has passed), or seeds them if it never had any.
    /// </summary>
    private static async Task ScheduleRemindersAsync(
        CommsDbContext db, Context context, DateTimeOffset startsAt, bool created, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var plans = Reminders.Plan(startsAt, context.TimeZone, DateTimeOffset.MinValue);
        var existing = created
            ? []
            : await db.ScheduledMessages.Where(m => m.ContextId == context.Id && m.Kind != ScheduledMessageKind.Custom).ToListAsync(cancellationToken);
        if (existing.Count > 0)
        {
            foreach (var reminder in existing.Where(m => m.Status == ScheduledMessageStatus.Scheduled))
            {
                var plan = plans.FirstOrDefault(p => p.Kind == reminder.Kind);
                reminder.UpdatedAt = now;
                if (plan is null || plan.SendAt <= now)
                {
                    reminder.Status = ScheduledMessageStatus.Cancelled;
                    reminder.CancelledAt = now;
                }
                else
                {
                    reminder.SendAt = plan.SendAt;
                }
            }

            return;
        }

        foreach (var plan in plans.Where(p => p.SendAt > now))
        {
            db.ScheduledMessages.Add(new ScheduledMessage
            {
                Id = Guid.CreateVersion7(now), TenantId = context.TenantId, ContextId = context.Id, Kind = plan.Kind, Audience = plan.Audience,
                Channels = [.. ScheduledMessageDefaults.Channels], Subject = plan.Subject, Body = plan.Body,
                Status = ScheduledMessageStatus.Scheduled, SendAt = plan.SendAt, CreatedAt = now, UpdatedAt = now,
            });
        }
    }

    private static async Task<ContextView> ViewAsync(CommsDbContext db, Context context, CancellationToken cancellationToken)
    {
        var members = await db.ContextMembers.AsNoTracking().Where(m => m.ContextId == context.Id)
            .OrderBy(m => m.JoinedAt).ThenBy(m => m.Id).Take(MaxListedMembers).ToListAsync(cancellationToken);
        var counts = await db.ContextMembers.AsNoTracking().Where(m => m.ContextId == context.Id)
            .GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        using var attributes = JsonDocument.Parse(context.Attributes);
        return new ContextView(context.Key, context.Kind, context.Name, context.OwnerExternalId, context.StartsAt, context.TimeZone, context.Venue,
            attributes.RootElement.Clone(), context.Status, counts, [.. members.Select(MemberView.From)], context.CreatedAt, context.UpdatedAt);
    }
}

/// <summary>What a scheduled message goes out on when the host names no channels: the inbox and email.</summary>
public static class ScheduledMessageDefaults
{
    public static readonly IReadOnlyList<string> Channels = [Messages.Channel.InApp, Messages.Channel.Email];
}
