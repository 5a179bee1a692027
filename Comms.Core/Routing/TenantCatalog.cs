using System.Collections.Concurrent;
using Comms.Core.Data;
using Comms.Core.Preferences;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Routing;

/// <summary>
/// Caches each tenant's <see cref="TenantSnapshot"/> for a short time. Writers call
/// <see cref="Invalidate"/> (and publish the invalidation to other processes through Redis, see
/// <c>CatalogChanges</c>), so a change is seen at once everywhere; the TTL is only a safety net.
/// </summary>
public sealed class TenantCatalog(IDbContextFactory<CommsDbContext> contexts, TimeProvider time)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (TenantSnapshot Snapshot, DateTimeOffset LoadedAt)> _cache = new(StringComparer.Ordinal);

    public async Task<TenantSnapshot?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(tenantId, out var entry) && time.GetUtcNow() - entry.LoadedAt < Ttl)
        {
            return entry.Snapshot;
        }

        var loadedAt = time.GetUtcNow();
        var snapshot = await LoadAsync(tenantId, cancellationToken);
        if (snapshot is not null)
        {
            _cache[tenantId] = (snapshot, loadedAt);
        }

        return snapshot;
    }

    public void Invalidate(string tenantId) => _cache.TryRemove(tenantId, out _);

    public void InvalidateAll() => _cache.Clear();

    private async Task<TenantSnapshot?> LoadAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        var rules = await db.RoutingRules.AsNoTracking().Where(r => r.TenantId == tenantId).ToListAsync(cancellationToken);
        var custom = await db.Categories.AsNoTracking().Where(c => c.TenantId == tenantId).ToListAsync(cancellationToken);
        var templates = await db.Templates.AsNoTracking()
            .Where(t => t.TenantId == tenantId && t.Status == TemplateStatus.Published && t.Version != null)
            .ToListAsync(cancellationToken);

        var categories = new Dictionary<string, CategoryInfo>(Categories.BuiltIn, StringComparer.Ordinal);
        // A tenant adds categories; it can never redefine a built-in one (security stays critical).
        foreach (var category in custom.Where(c => !Categories.BuiltIn.ContainsKey(c.Name)))
        {
            categories[category.Name] = Categories.FromTenantCategory(category);
        }

        return new TenantSnapshot(
            tenant,
            rules.ToDictionary(r => r.EventName, StringComparer.Ordinal),
            categories,
            templates);
    }
}
