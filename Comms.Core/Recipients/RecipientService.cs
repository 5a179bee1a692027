using Comms.Core.Data;
using Comms.Core.Preferences;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Recipients;

/// <summary>The outcome of an upsert: the stored recipient (and whether it is new), or what is wrong with the input.</summary>
public sealed record RecipientSaved(RecipientView? Recipient, bool Created, Dictionary<string, string[]>? Errors, bool Erased = false);

/// <summary>A tenant's recipients: upsert by external id, read, list and delete. Every query is scoped to the tenant.</summary>
public sealed class RecipientService(IDbContextFactory<CommsDbContext> contexts, TenantCatalog catalog, TimeProvider time)
{
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 50;

    /// <summary>
    /// Creates the recipient or updates the fields given. Input is validated whole before anything is
    /// written; a concurrent create of the same external id turns into an update.
    /// </summary>
    public async Task<RecipientSaved> UpsertAsync(
        string tenantId, string? routeExternalId, RecipientRequest? request, CancellationToken cancellationToken)
    {
        var categories = await CategoriesAsync(tenantId, cancellationToken);
        var errors = RecipientValidator.Validate(request, routeExternalId, categories, out var changes);
        if (changes is null)
        {
            return new RecipientSaved(null, false, errors);
        }

        for (var attempt = 0; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow();
            var recipient = await db.Recipients
                .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.ExternalId == changes.ExternalId, cancellationToken);
            var created = recipient is null;
            if (recipient is null && await IsErasedAsync(db, tenantId, changes.ExternalId, cancellationToken))
            {
                // SPEC S11: an erased person is not re-created from a stale copy of their data (see README "Erasure").
                return new RecipientSaved(null, false, null, Erased: true);
            }

            if (recipient is null)
            {
                recipient = new Recipient { Id = Guid.CreateVersion7(), TenantId = tenantId, ExternalId = changes.ExternalId, CreatedAt = now };
                db.Recipients.Add(recipient);
            }

            changes.ApplyTo(recipient);
            recipient.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new RecipientSaved(RecipientView.From(recipient), created, null);
            }
            catch (DbUpdateException ex) when (created && attempt == 0 && UniqueViolation.Is(ex))
            {
                // Another request created it first: apply the change to that row instead.
            }
        }
    }

    public async Task<RecipientView?> GetAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipient = await db.Recipients.AsNoTracking()
            .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.ExternalId == externalId && r.ErasedAt == null, cancellationToken);
        return recipient is null ? null : RecipientView.From(recipient);
    }

    /// <summary>Whether the tenant had a recipient with this external id who was erased.</summary>
    public async Task<bool> IsErasedAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await IsErasedAsync(db, tenantId, externalId, cancellationToken);
    }

    private static Task<bool> IsErasedAsync(CommsDbContext db, string tenantId, string externalId, CancellationToken cancellationToken)
    {
        var tombstone = Privacy.ErasedIds.Tombstone(externalId);
        return db.Recipients.AnyAsync(r => r.TenantId == tenantId && r.ExternalId == tombstone && r.ErasedAt != null, cancellationToken);
    }

    /// <summary>A page of the tenant's recipients in id order, optionally only those with <paramref name="role"/>.</summary>
    public async Task<RecipientPage> ListAsync(
        string tenantId, string? role, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Recipients.AsNoTracking().Where(r => r.TenantId == tenantId && r.ErasedAt == null);
        if (!string.IsNullOrEmpty(role))
        {
            query = query.Where(r => r.Roles.Contains(role));
        }

        if (after is { } cursor)
        {
            query = query.Where(r => r.Id.CompareTo(cursor) > 0);
        }

        var size = Math.Clamp(limit, 1, MaxPageSize);
        var rows = await query.OrderBy(r => r.Id).Take(size + 1).ToListAsync(cancellationToken);
        var items = rows.Take(size).Select(RecipientView.From).ToList();
        return new RecipientPage(items, rows.Count > size ? items[^1].Id.ToString() : null);
    }

    /// <summary>Deletes the recipient with its devices and preferences (cascade); false when there is none.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Recipients
            .Where(r => r.TenantId == tenantId && r.ExternalId == externalId && r.ErasedAt == null)
            .ExecuteDeleteAsync(cancellationToken);
        return deleted > 0;
    }

    private async Task<IReadOnlyDictionary<string, CategoryInfo>> CategoriesAsync(string tenantId, CancellationToken cancellationToken) =>
        (await catalog.GetAsync(tenantId, cancellationToken))?.Categories ?? Categories.BuiltIn;
}
