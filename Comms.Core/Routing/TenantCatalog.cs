using Comms.Core.ContextMail;
using Comms.Core.Data;
using Comms.Core.Preferences;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Comms.Core.Routing;

/// <summary>
/// Caches each tenant's <see cref="TenantSnapshot"/> in a bounded cache (<see cref="CatalogOptions.CacheSize"/>
/// tenants). Freshness does not rest on pub/sub alone: every rule, template, category and tenant-settings write
/// bumps <c>tenants.catalog_version</c> in its own transaction (database triggers), and a cached snapshot is
/// compared with that version at most every <see cref="CatalogOptions.VersionCheckInterval"/> (one primary-key
/// read; one caller checks while the others keep using the snapshot). Writers in this process call
/// <see cref="Invalidate"/>, and <c>CatalogChanges</c> tells the other processes through Redis, so a change is
/// usually seen at once; when that message is lost, the version check catches it within the interval.
/// </summary>
public sealed class TenantCatalog(IDbContextFactory<CommsDbContext> contexts, IOptions<CatalogOptions> options, TimeProvider time) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.CacheSize });
    private long _generation;

    private sealed class Entry(TenantSnapshot snapshot, DateTimeOffset checkedAt)
    {
        private long _checkedAtTicks = checkedAt.UtcTicks;

        public TenantSnapshot Snapshot { get; } = snapshot;

        /// <summary>True for the one caller that should check the version now (the others go on with the snapshot).</summary>
        public bool TryStartCheck(DateTimeOffset now, TimeSpan interval)
        {
            var last = Interlocked.Read(ref _checkedAtTicks);
            return now.UtcTicks - last >= interval.Ticks && Interlocked.CompareExchange(ref _checkedAtTicks, now.UtcTicks, last) == last;
        }
    }

    public async Task<TenantSnapshot?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (_cache.TryGetValue(tenantId, out Entry? entry) && entry is not null)
        {
            if (!entry.TryStartCheck(time.GetUtcNow(), settings.VersionCheckInterval)
                || await CurrentVersionAsync(tenantId, cancellationToken) == entry.Snapshot.Tenant.CatalogVersion)
            {
                return entry.Snapshot;
            }
        }

        var generation = Interlocked.Read(ref _generation);
        var loadedAt = time.GetUtcNow();
        var snapshot = await LoadAsync(tenantId, cancellationToken);
        if (snapshot is null)
        {
            _cache.Remove(tenantId);
        }
        else if (Interlocked.Read(ref _generation) == generation)
        {
            // A load that raced with an invalidation is not cached: the next caller loads again.
            _cache.Set(tenantId, new Entry(snapshot, loadedAt),
                new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = settings.IdleExpiry });
        }

        return snapshot;
    }

    /// <summary>
    /// The warm-up: runs the version check a cached snapshot gets (<c>GetAsync</c> of a tenant already cached, from the
    /// second event on) once, for a tenant id that cannot exist, so its query is compiled before the first real event.
    /// Reads one row at most; caches nothing.
    /// </summary>
    public Task WarmUpAsync(CancellationToken cancellationToken) => CurrentVersionAsync("~warm-up", cancellationToken);

    /// <summary>How many tenants' snapshots are cached now (at most <see cref="CatalogOptions.CacheSize"/>).</summary>
    public int CachedTenants => _cache.Count;

    /// <summary>Drops the tenant's snapshot (after a change here, or told by another process).</summary>
    public void Invalidate(string tenantId)
    {
        Interlocked.Increment(ref _generation);
        _cache.Remove(tenantId);
    }

    public void InvalidateAll()
    {
        Interlocked.Increment(ref _generation);
        _cache.Clear();
    }

    public void Dispose() => _cache.Dispose();

    private async Task<long?> CurrentVersionAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Tenants.Where(t => t.Id == tenantId).Select(t => (long?)t.CatalogVersion).FirstOrDefaultAsync(cancellationToken);
    }

    private async Task<TenantSnapshot?> LoadAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // The tenant (and its catalog version) first: whatever is read after it is at least as new, so a change that
        // commits in between is seen by the next version check rather than hidden behind a newer version.
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

        var ruleMap = rules.ToDictionary(r => r.EventName, StringComparer.Ordinal);
        // Routes every tenant has unless it defines its own (in code, so every process knows them at once).
        ContextMailRoute.AddDefaults(tenantId, ruleMap, templates);
        return new TenantSnapshot(tenant, ruleMap, categories, templates);
    }
}
