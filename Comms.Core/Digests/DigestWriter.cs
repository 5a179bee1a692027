using Comms.Core.Routing;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Digests;

/// <summary>
/// Attaches an event to the open digest window of each recipient × channel, inside the routing
/// transaction. The window row is share-locked while the entry is added, so the flusher (which takes
/// open windows with <c>FOR UPDATE SKIP LOCKED</c>) can never flush a window that is gaining an entry;
/// if the flusher wins, the window is closed and a new one is opened for this event.
/// </summary>
internal static class DigestWriter
{
    public static async Task AttachAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, Guid eventId, string eventName,
        string category, string payload, IReadOnlyList<PlannedDigest> digests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = digests.ToList();
        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            if (attempt == 5)
            {
                throw new InvalidOperationException("Could not attach the event to a digest window after 5 attempts.");
            }

            await OpenWindowsAsync(connection, transaction, tenantId, eventName, category, pending, now, cancellationToken);
            var locked = await LockOpenWindowsAsync(connection, transaction, tenantId, pending, cancellationToken);
            await AddEntriesAsync(connection, transaction, eventId, payload, locked.Values.ToArray(), now, cancellationToken);
            pending = pending.Where(d => !locked.ContainsKey((d.RecipientId, d.Channel))).ToList();
        }
    }

    private static async Task OpenWindowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, string eventName, string category,
        List<PlannedDigest> digests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO digests (id, tenant_id, recipient_id, channel, digest_key, event_name, category, status, event_count, opened_at, flush_at)
            SELECT u.id, @tenant, u.recipient, u.channel, u.key, @event_name, @category, 'open', 0, @now, u.flush_at
              FROM unnest(@ids, @recipients, @channels, @keys, @flush_at) AS u(id, recipient, channel, key, flush_at)
            ON CONFLICT (tenant_id, recipient_id, channel, digest_key) WHERE status = 'open' DO NOTHING
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("event_name", eventName);
        command.Parameters.AddWithValue("category", category);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", digests.Select(_ => Guid.CreateVersion7()).ToArray());
        command.Parameters.AddWithValue("recipients", digests.Select(d => d.RecipientId).ToArray());
        command.Parameters.AddWithValue("channels", digests.Select(d => d.Channel).ToArray());
        command.Parameters.AddWithValue("keys", digests.Select(d => d.DigestKey).ToArray());
        command.Parameters.Add(new NpgsqlParameter("flush_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            Value = digests.Select(d => (now + d.Window).UtcDateTime).ToArray(),
        });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Dictionary<(Guid, string), Guid>> LockOpenWindowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, List<PlannedDigest> digests,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT d.id, d.recipient_id, d.channel
              FROM digests d
              JOIN unnest(@recipients, @channels, @keys) AS u(recipient, channel, key)
                ON d.recipient_id = u.recipient AND d.channel = u.channel AND d.digest_key = u.key
             WHERE d.tenant_id = @tenant AND d.status = 'open'
               FOR SHARE OF d
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("recipients", digests.Select(d => d.RecipientId).ToArray());
        command.Parameters.AddWithValue("channels", digests.Select(d => d.Channel).ToArray());
        command.Parameters.AddWithValue("keys", digests.Select(d => d.DigestKey).ToArray());
        var locked = new Dictionary<(Guid, string), Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            locked[(reader.GetGuid(1), reader.GetString(2))] = reader.GetGuid(0);
        }

        return locked;
    }

    private static async Task AddEntriesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string payload, Guid[] digestIds,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (digestIds.Length == 0)
        {
            return;
        }

        // The window's event count is computed when it is flushed: updating it here would turn the
        // share locks of two racing routers into a deadlock.
        await using var entries = new NpgsqlCommand("""
            INSERT INTO digest_entries (digest_id, event_id, payload, created_at)
            SELECT id, @event, @payload::jsonb, @now FROM unnest(@ids) AS id
            ON CONFLICT (digest_id, event_id) DO NOTHING
            """, connection, transaction);
        entries.Parameters.AddWithValue("event", eventId);
        entries.Parameters.AddWithValue("payload", payload);
        entries.Parameters.AddWithValue("now", now);
        entries.Parameters.AddWithValue("ids", digestIds);
        await entries.ExecuteNonQueryAsync(cancellationToken);
    }
}
