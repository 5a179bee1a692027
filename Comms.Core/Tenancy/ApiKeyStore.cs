using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Comms.Core.Tenancy;

/// <summary>Who an API key is: its tenant, id, recognisable prefix and roles.</summary>
public sealed record ApiKeyIdentity(string TenantId, Guid KeyId, string Prefix, string Name, IReadOnlyList<string> Roles);

/// <summary>
/// Resolves presented API keys by their SHA-256 hash. Results (including misses) are cached for a few
/// seconds so that intake does not pay a database round trip per request; a revocation made here is
/// effective at once in this process and within <see cref="CacheTtl"/> in the others. The cache is bounded
/// (<see cref="CacheSize"/> keys): a spray of made-up keys cannot grow it, it only stops caching misses.
/// </summary>
public sealed class ApiKeyStore(IDbContextFactory<CommsDbContext> contexts, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(10);
    public const int CacheSize = 10_000;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = CacheSize });

    public async Task<ApiKeyIdentity?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(presentedKey) || presentedKey.Length > 512)
        {
            return null;
        }

        var hash = ApiKeySecrets.Hash(presentedKey);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(hash, out (ApiKeyIdentity? Identity, DateTimeOffset At) cached) && now - cached.At < CacheTtl)
        {
            return cached.Identity;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await FindAsync(db, hash, cancellationToken);
        _cache.Set(hash, (key, now), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = CacheTtl });
        return key;
    }

    /// <summary>
    /// Runs the lookup of a key that exists — the first real request's path, whose result is read and materialized
    /// (a made-up key only reaches the empty answer) — without caching it or telling anyone; nothing when no key exists.
    /// </summary>
    public async Task<bool> WarmUpAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hash = await db.ApiKeys.AsNoTracking().Where(k => k.RevokedAt == null).Select(k => k.KeyHash).FirstOrDefaultAsync(cancellationToken);
        return hash is not null && await FindAsync(db, hash, cancellationToken) is not null;
    }

    private static Task<ApiKeyIdentity?> FindAsync(CommsDbContext db, string hash, CancellationToken cancellationToken) =>
        db.ApiKeys.AsNoTracking()
            .Where(k => k.KeyHash == hash && k.RevokedAt == null)
            .Select(k => new ApiKeyIdentity(k.TenantId, k.Id, k.Prefix, k.Name, k.Roles))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>Forgets every cached result, e.g. after a key was revoked.</summary>
    public void Forget() => _cache.Clear();

    /// <summary>How many keys and misses are cached now.</summary>
    public int CachedCount => _cache.Count;

    public void Dispose() => _cache.Dispose();
}
