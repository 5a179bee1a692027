using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Comms.Core.Auth;

/// <summary>An active signing key, ready to validate with: pinned algorithm, key, and the iss/aud its tokens must carry.</summary>
public sealed record ActiveSigningKey(string Kid, string Algorithm, SecurityKey Key, string Issuer, string Audience);

/// <summary>A tenant's active keys by kid; <see cref="TenantExists"/> is false for an unknown tenant.</summary>
public sealed record TenantKeySet(bool TenantExists, IReadOnlyDictionary<string, ActiveSigningKey> Keys)
{
    public static readonly TenantKeySet UnknownTenant = new(false, new Dictionary<string, ActiveSigningKey>());
}

/// <summary>Where user-token validation finds a tenant's active keys.</summary>
public interface ISigningKeySource
{
    ValueTask<TenantKeySet> GetAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>
/// Each tenant's active signing keys, cached in a bounded cache of its own (<see cref="CacheSize"/> tenants)
/// for <see cref="Ttl"/>. A change (create, revoke) invalidates the entry at once in the process that made it
/// and, through the catalog-change channel in Redis, in every other (<see cref="SigningKeyChanges"/>); the
/// short TTL heals a lost notification. A load that raced with an invalidation is not cached, so a revoked
/// key can never be put back by a slow read.
/// </summary>
public sealed partial class TenantSigningKeys(
    IDbContextFactory<CommsDbContext> contexts,
    SigningSecretProtector protector,
    IOptions<UserTokenOptions> options,
    ILogger<TenantSigningKeys> logger) : ISigningKeySource, IDisposable
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    public const int CacheSize = 10_000;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = CacheSize });
    private long _generation;

    public async ValueTask<TenantKeySet> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(tenantId, out TenantKeySet? cached) && cached is not null)
        {
            return cached;
        }

        var generation = Interlocked.Read(ref _generation);
        var loaded = await LoadAsync(tenantId, cancellationToken);
        if (Interlocked.Read(ref _generation) == generation)
        {
            _cache.Set(tenantId, loaded, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Ttl });
        }

        return loaded;
    }

    /// <summary>Forgets the tenant's cached keys (after a change here or in another process).</summary>
    public void Invalidate(string tenantId)
    {
        Interlocked.Increment(ref _generation);
        _cache.Remove(tenantId);
    }

    public void Dispose() => _cache.Dispose();

    private async Task<TenantKeySet> LoadAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken))
        {
            return TenantKeySet.UnknownTenant;
        }

        var rows = await db.SigningKeys.AsNoTracking().Where(k => k.TenantId == tenantId && k.RevokedAt == null).ToListAsync(cancellationToken);
        var keys = new Dictionary<string, ActiveSigningKey>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            string? secret = null;
            if (row.Algorithm == SigningAlgorithms.Hs256)
            {
                secret = protector.Unprotect(row.TenantId, row.Kid, row.ProtectedSecret ?? "");
                if (secret is null)
                {
                    // Sealed with an encryption key this process does not have: tokens of this kid fail as unknown.
                    LogUndecryptable(logger, tenantId, row.Kid);
                    continue;
                }
            }

            keys[row.Kid] = new ActiveSigningKey(row.Kid, row.Algorithm,
                SigningKeyMaterial.ToSecurityKey(row.Algorithm, row.Kid, secret, row.PublicKeyJwk),
                row.Issuer ?? options.Value.Issuer, row.Audience ?? options.Value.Audience);
        }

        return new TenantKeySet(true, keys);
    }

    [LoggerMessage(1, LogLevel.Error, "The secret of signing key '{Kid}' of tenant '{Tenant}' cannot be decrypted with the configured Comms:Auth:SecretEncryptionKey (or a previous one); its tokens are refused.")]
    private static partial void LogUndecryptable(ILogger logger, string tenant, string kid);
}
