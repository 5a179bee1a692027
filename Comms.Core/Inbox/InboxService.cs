using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Inbox;

/// <summary>The end user's notification center: list with cursors, counts and read state.</summary>
public sealed class InboxService(IDbContextFactory<CommsDbContext> contexts, TimeProvider time)
{
    public const int MaxPageSize = 100;

    public async Task<InboxPage?> ListAsync(
        string tenantId, string externalId, InboxFilter filter, string? category, string? before, string? after,
        int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipientId = await RecipientIdAsync(db, tenantId, externalId, cancellationToken);
        if (recipientId is null)
        {
            return new InboxPage([], null, 0, 0);
        }

        var query = db.InboxItems.AsNoTracking().Where(i => i.RecipientId == recipientId && i.TenantId == tenantId);
        query = filter switch
        {
            InboxFilter.Unread => query.Where(i => i.ReadAt == null && i.ArchivedAt == null),
            InboxFilter.Read => query.Where(i => i.ReadAt != null && i.ArchivedAt == null),
            InboxFilter.Archived => query.Where(i => i.ArchivedAt != null),
            _ => query.Where(i => i.ArchivedAt == null),
        };
        if (!string.IsNullOrEmpty(category))
        {
            query = query.Where(i => i.Category == category);
        }

        if (InboxCursor.TryDecode(before, out var beforeAt, out var beforeId))
        {
            query = query.Where(i => EF.Functions.LessThan(ValueTuple.Create(i.CreatedAt, i.Id), ValueTuple.Create(beforeAt, beforeId)));
        }

        if (InboxCursor.TryDecode(after, out var afterAt, out var afterId))
        {
            query = query.Where(i => EF.Functions.GreaterThan(ValueTuple.Create(i.CreatedAt, i.Id), ValueTuple.Create(afterAt, afterId)));
        }

        var size = Math.Clamp(limit, 1, MaxPageSize);
        var items = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
            .Take(size + 1).ToListAsync(cancellationToken);
        var views = items.Take(size).Select(InboxItemView.From).ToList();
        var counts = await CountsAsync(db, recipientId.Value, cancellationToken);
        return new InboxPage(views, items.Count > size ? views[^1].Cursor : null, counts.Unread, counts.Unseen);
    }

    public async Task<UnreadCounts> CountAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipientId = await RecipientIdAsync(db, tenantId, externalId, cancellationToken);
        return recipientId is null ? new UnreadCounts(0, 0) : await CountsAsync(db, recipientId.Value, cancellationToken);
    }

    /// <summary>Marks one item read or unread; null when the item is not this user's.</summary>
    public async Task<UnreadCounts?> SetReadAsync(string tenantId, string externalId, Guid itemId, bool read, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipientId = await RecipientIdAsync(db, tenantId, externalId, cancellationToken);
        if (recipientId is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var changed = read
            ? await db.InboxItems.Where(i => i.Id == itemId && i.RecipientId == recipientId && i.TenantId == tenantId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ReadAt, i => i.ReadAt ?? now)
                    .SetProperty(i => i.SeenAt, i => i.SeenAt ?? now), cancellationToken)
            : await db.InboxItems.Where(i => i.Id == itemId && i.RecipientId == recipientId && i.TenantId == tenantId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ReadAt, (DateTimeOffset?)null), cancellationToken);
        return changed == 0 ? null : await CountsAsync(db, recipientId.Value, cancellationToken);
    }

    /// <summary>Marks every unread item read.</summary>
    public async Task<UnreadCounts> ReadAllAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipientId = await RecipientIdAsync(db, tenantId, externalId, cancellationToken);
        if (recipientId is null)
        {
            return new UnreadCounts(0, 0);
        }

        var now = time.GetUtcNow();
        await db.InboxItems.Where(i => i.RecipientId == recipientId && i.TenantId == tenantId && i.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ReadAt, now).SetProperty(i => i.SeenAt, i => i.SeenAt ?? now), cancellationToken);
        return await CountsAsync(db, recipientId.Value, cancellationToken);
    }

    private static Task<Guid?> RecipientIdAsync(CommsDbContext db, string tenantId, string externalId, CancellationToken cancellationToken) =>
        db.Recipients.Where(r => r.TenantId == tenantId && r.ExternalId == externalId)
            .Select(r => (Guid?)r.Id).FirstOrDefaultAsync(cancellationToken);

    private static async Task<UnreadCounts> CountsAsync(CommsDbContext db, Guid recipientId, CancellationToken cancellationToken)
    {
        var counts = await db.InboxItems
            .Where(i => i.RecipientId == recipientId && i.ReadAt == null && i.ArchivedAt == null)
            .Take(UnreadCounts.Cap)
            .GroupBy(_ => 1)
            .Select(g => new { Unread = g.Count(), Unseen = g.Count(i => i.SeenAt == null) })
            .FirstOrDefaultAsync(cancellationToken);
        return new UnreadCounts(counts?.Unread ?? 0, counts?.Unseen ?? 0);
    }
}
