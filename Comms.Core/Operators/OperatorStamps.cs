using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Comms.Core.Operators;

/// <summary>
/// The current security-stamp hash of each operator, read on every operator request and cached for
/// <see cref="OperatorOptions.StampCacheDuration"/> (bounded: at most 10,000 operators). A token whose <c>sstamp</c>
/// differs was issued before a "sign out everywhere" (or a password change) and is refused.
/// </summary>
public sealed class OperatorStamps(IDbContextFactory<OperatorsDbContext> contexts, IOptions<OperatorOptions> options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    /// <summary>The stamp hash, or null when the operator no longer exists.</summary>
    public async Task<string?> CurrentAsync(Guid operatorId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(operatorId, out string? cached))
        {
            return cached;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var stamp = await db.Users.AsNoTracking().Where(o => o.Id == operatorId).Select(o => o.SecurityStamp).FirstOrDefaultAsync(cancellationToken);
        var hash = stamp is null ? null : OperatorTokens.HashStamp(stamp);
        if (options.Value.StampCacheDuration > TimeSpan.Zero)
        {
            _cache.Set(operatorId, hash, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = options.Value.StampCacheDuration });
        }

        return hash;
    }

    /// <summary>Forgets an operator's stamp on this replica (after bumping it), so the change applies at once here.</summary>
    public void Forget(Guid operatorId) => _cache.Remove(operatorId);

    public void Dispose() => _cache.Dispose();
}
