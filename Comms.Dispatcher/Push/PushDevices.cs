using Comms.Core.Data;
using Comms.Core.Recipients;
using Microsoft.EntityFrameworkCore;

namespace Comms.Dispatcher.Push;

/// <summary>The push devices that messages go to, and the pruning of dead tokens.</summary>
public sealed class PushDevices(IDbContextFactory<CommsDbContext> contexts)
{
    /// <summary>The devices of the given recipients whose provider is one of <paramref name="providers"/>.</summary>
    public async Task<ILookup<Guid, Device>> ForAsync(
        IReadOnlyCollection<Guid> recipientIds, IReadOnlyCollection<string> providers, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var devices = await db.Devices.AsNoTracking()
            .Where(d => recipientIds.Contains(d.RecipientId) && providers.Contains(d.Provider))
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
            .ToListAsync(cancellationToken);
        return devices.ToLookup(d => d.RecipientId);
    }

    /// <summary>
    /// Removes devices whose token the provider declared dead; matched on the token too, so a device registered again
    /// meanwhile with a new token is kept.
    /// </summary>
    public Task<int> PruneAsync(IReadOnlyCollection<PushTarget> dead, CancellationToken cancellationToken) =>
        PruneAsync(dead.Select(t => (t.DeviceId, t.Token)).ToList(), cancellationToken);

    /// <inheritdoc cref="PruneAsync(IReadOnlyCollection{PushTarget}, CancellationToken)"/>
    public async Task<int> PruneAsync(IReadOnlyCollection<(Guid DeviceId, string Token)> dead, CancellationToken cancellationToken)
    {
        if (dead.Count == 0)
        {
            return 0;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var removed = 0;
        foreach (var target in dead.Distinct())
        {
            removed += await db.Devices.Where(d => d.Id == target.DeviceId && d.Token == target.Token).ExecuteDeleteAsync(cancellationToken);
        }

        return removed;
    }
}
