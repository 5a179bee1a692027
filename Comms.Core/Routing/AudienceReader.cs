using Comms.Core.Data;
using Comms.Core.Events;
using Comms.Core.Privacy;
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
        var query = db.Recipients.AsNoTracking().Where(r => r.TenantId == tenantId && r.ErasedAt == null);
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

    /// <summary>
    /// The explicit recipients of an event, by the external id it names. An erased person is found too (by the tombstone
    /// of the id, or by the tombstone itself that the erasure wrote into a pending event), with
    /// <see cref="Recipient.ErasedAt"/> set: the router drops them with <c>COMMS_RECIPIENT_ERASED</c>.
    /// </summary>
    public async Task<Dictionary<string, Recipient>> ByExternalIdsAsync(
        string tenantId, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken)
    {
        var named = externalIds.ToDictionary(id => id, id => ErasedIds.IsTombstone(id) ? id : ErasedIds.Tombstone(id), StringComparer.Ordinal);
        var lookup = named.Keys.Concat(named.Values).Distinct(StringComparer.Ordinal).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Recipients.AsNoTracking()
            .Where(r => r.TenantId == tenantId && lookup.Contains(r.ExternalId))
            .ToDictionaryAsync(r => r.ExternalId, StringComparer.Ordinal, cancellationToken);
        var found = new Dictionary<string, Recipient>(StringComparer.Ordinal);
        foreach (var (id, tombstone) in named)
        {
            if (rows.TryGetValue(id, out var recipient) && (recipient.ErasedAt is not null || !ErasedIds.IsTombstone(id)))
            {
                found[id] = recipient;
            }
            else if (rows.TryGetValue(tombstone, out var erased) && erased.ErasedAt is not null)
            {
                found[id] = erased;
            }
        }

        return found;
    }
}
