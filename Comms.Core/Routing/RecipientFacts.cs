using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Routing;

/// <summary>What routing needs to know about a chunk of recipients, loaded in three queries.</summary>
public sealed class RecipientFacts(
    IReadOnlyDictionary<(Guid Recipient, string Channel), bool> overrides,
    IReadOnlySet<(string Channel, string Hash)> suppressed,
    IReadOnlyDictionary<Guid, int> deviceCounts)
{
    public static readonly RecipientFacts Empty = new(
        new Dictionary<(Guid, string), bool>(), new HashSet<(string, string)>(), new Dictionary<Guid, int>());

    public bool? OverrideFor(Guid recipientId, string channel) =>
        overrides.TryGetValue((recipientId, channel), out var enabled) ? enabled : null;

    public bool IsSuppressed(string channel, string? address) =>
        address is not null && suppressed.Contains((channel, Suppression.Hash(address)));

    public int DevicesOf(Guid recipientId) => deviceCounts.GetValueOrDefault(recipientId);

    public static async Task<RecipientFacts> LoadAsync(
        IDbContextFactory<CommsDbContext> contexts, string tenantId, IReadOnlyList<Recipient> recipients, string category,
        CancellationToken cancellationToken)
    {
        var ids = recipients.Select(r => r.Id).ToList();
        var hashes = recipients.SelectMany(r => new[] { r.Email, r.Phone }).Where(a => a is not null).Select(a => Suppression.Hash(a!)).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        var overrides = await db.Preferences.AsNoTracking()
            .Where(p => ids.Contains(p.RecipientId) && p.Category == category)
            .ToDictionaryAsync(p => (p.RecipientId, p.Channel), p => p.Enabled, cancellationToken);
        var suppressed = await db.Suppressions.AsNoTracking()
            .Where(s => s.TenantId == tenantId && hashes.Contains(s.AddressHash))
            .Select(s => new { s.Channel, s.AddressHash })
            .ToListAsync(cancellationToken);
        var devices = await db.Devices.AsNoTracking()
            .Where(d => ids.Contains(d.RecipientId))
            .GroupBy(d => d.RecipientId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);

        return new RecipientFacts(
            overrides,
            suppressed.Select(s => (s.Channel, s.AddressHash)).ToHashSet(),
            devices);
    }

    /// <summary>The destination of a channel for a recipient, or null when there is none.</summary>
    public string? AddressFor(Recipient recipient, string channel) => channel switch
    {
        Channel.Email => recipient.Email,
        Channel.Sms => recipient.Phone,
        Channel.InApp => recipient.ExternalId,
        Channel.Push => DevicesOf(recipient.Id) > 0 ? $"devices:{DevicesOf(recipient.Id)}" : null,
        _ => null,
    };
}
