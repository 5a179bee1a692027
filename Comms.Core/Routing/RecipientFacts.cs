using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Npgsql;

namespace Comms.Core.Routing;

/// <summary>
/// What routing needs to know about a chunk of recipients: preference overrides, suppressions, devices, and
/// how many enabled webhook endpoints the tenant has (the webhook channel has an address only when it has one).
/// </summary>
public sealed class RecipientFacts(
    IReadOnlyDictionary<(Guid Recipient, string Channel, string Category), bool> overrides,
    IReadOnlySet<(string Channel, string Hash)> suppressed,
    IReadOnlyDictionary<Guid, int> deviceCounts,
    int webhookEndpoints = 0)
{
    public static readonly RecipientFacts Empty = new(
        new Dictionary<(Guid, string, string), bool>(), new HashSet<(string, string)>(), new Dictionary<Guid, int>());

    public bool? OverrideFor(Guid recipientId, string channel, string category) =>
        overrides.TryGetValue((recipientId, channel, category), out var enabled) ? enabled : null;

    public bool IsSuppressed(string channel, string? address) =>
        address is not null && suppressed.Contains((channel, Suppression.Hash(address)));

    public int DevicesOf(Guid recipientId) => deviceCounts.GetValueOrDefault(recipientId);

    /// <summary>Loads the recipients' overrides for the categories, suppressed addresses and device counts in one round trip.</summary>
    public static async Task<RecipientFacts> LoadAsync(
        NpgsqlDataSource dataSource, string tenantId, IReadOnlyList<Recipient> recipients, IReadOnlyCollection<string> categories,
        CancellationToken cancellationToken)
    {
        var ids = recipients.Select(r => r.Id).ToArray();
        var hashes = recipients.SelectMany(r => new[] { r.Email, r.Phone }).Where(a => a is not null).Select(a => Suppression.Hash(a!)).ToArray();
        await using var batch = dataSource.CreateBatch();
        var preferences = new NpgsqlBatchCommand(
            "SELECT recipient_id, channel, category, enabled FROM preferences WHERE recipient_id = ANY(@ids) AND category = ANY(@categories)");
        preferences.Parameters.AddWithValue("ids", ids);
        preferences.Parameters.AddWithValue("categories", categories.ToArray());
        var suppressions = new NpgsqlBatchCommand(
            "SELECT channel, address_hash FROM suppressions WHERE tenant_id = @tenant AND address_hash = ANY(@hashes)");
        suppressions.Parameters.AddWithValue("tenant", tenantId);
        suppressions.Parameters.AddWithValue("hashes", hashes);
        var devices = new NpgsqlBatchCommand(
            "SELECT recipient_id, count(*)::int FROM devices WHERE recipient_id = ANY(@ids) GROUP BY recipient_id");
        devices.Parameters.AddWithValue("ids", ids);
        batch.BatchCommands.Add(preferences);
        batch.BatchCommands.Add(suppressions);
        batch.BatchCommands.Add(devices);
        var webhooks = new NpgsqlBatchCommand("SELECT count(*)::int FROM webhook_endpoints WHERE tenant_id = @tenant AND enabled");
        webhooks.Parameters.AddWithValue("tenant", tenantId);
        batch.BatchCommands.Add(webhooks);

        var overrides = new Dictionary<(Guid, string, string), bool>();
        var suppressed = new HashSet<(string, string)>();
        var deviceCounts = new Dictionary<Guid, int>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            overrides[(reader.GetGuid(0), reader.GetString(1), reader.GetString(2))] = reader.GetBoolean(3);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            suppressed.Add((reader.GetString(0), reader.GetString(1)));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            deviceCounts[reader.GetGuid(0)] = reader.GetInt32(1);
        }

        await reader.NextResultAsync(cancellationToken);
        var webhookEndpoints = await reader.ReadAsync(cancellationToken) ? reader.GetInt32(0) : 0;
        return new RecipientFacts(overrides, suppressed, deviceCounts, webhookEndpoints);
    }

    /// <summary>The destination of a channel for a recipient, or null when there is none.</summary>
    public string? AddressFor(Recipient recipient, string channel) => channel switch
    {
        Channel.Email => recipient.Email,
        Channel.Sms => recipient.Phone,
        Channel.InApp => recipient.ExternalId,
        Channel.Push => DevicesOf(recipient.Id) > 0 ? $"devices:{DevicesOf(recipient.Id)}" : null,
        Channel.Webhook => webhookEndpoints > 0 ? $"webhook-endpoints:{webhookEndpoints}" : null,
        _ => null,
    };
}
