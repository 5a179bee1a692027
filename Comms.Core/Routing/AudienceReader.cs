using Comms.Core.Data;
using Comms.Core.Events;
using Comms.Core.Recipients;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Routing;

/// <summary>
/// Streams an audience in id order, one chunk at a time (keyset pagination from a cursor), so an
/// audience of any size is never loaded whole and routing resumes where it stopped after a crash.
/// </summary>
public sealed class AudienceReader(IDbContextFactory<CommsDbContext> contexts)
{
    public async Task<IReadOnlyList<Recipient>> NextChunkAsync(
        string tenantId, AudienceSelector selector, Guid? after, int size, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Recipients.AsNoTracking().Where(r => r.TenantId == tenantId);
        if (after is { } cursor)
        {
            query = query.Where(r => r.Id.CompareTo(cursor) > 0);
        }

        if (selector.Roles.Count > 0)
        {
            var roles = selector.Roles.ToArray();
            query = query.Where(r => r.Roles.Any(role => roles.Contains(role)));
        }

        if (selector.AttributesJson is { } attributes)
        {
            query = query.Where(r => EF.Functions.JsonContains(r.Attributes, attributes));
        }

        return await query.OrderBy(r => r.Id).Take(size).ToListAsync(cancellationToken);
    }

    /// <summary>The explicit recipients of an event, by external id.</summary>
    public async Task<Dictionary<string, Recipient>> ByExternalIdsAsync(
        string tenantId, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Recipients.AsNoTracking()
            .Where(r => r.TenantId == tenantId && externalIds.Contains(r.ExternalId))
            .ToDictionaryAsync(r => r.ExternalId, StringComparer.Ordinal, cancellationToken);
    }
}
