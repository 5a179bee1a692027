using Comms.Core.Messages;
using Npgsql;

namespace Comms.Core.Broadcasts;

/// <summary>
/// The live progress of a broadcast per channel — queued, sent, failed, suppressed (blocked by a suppression or a
/// preference when routed), cancelled — counted over the messages and decisions of its events; and the moment it is done.
/// </summary>
public sealed class BroadcastProgress(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<IReadOnlyDictionary<string, BroadcastChannelProgress>> CountAsync(SysBroadcast broadcast, CancellationToken cancellationToken)
    {
        var counts = broadcast.Channels.Where(c => c != BroadcastChannels.Banner)
            .ToDictionary(c => c, _ => new long[5], StringComparer.Ordinal);
        await using var command = dataSource.CreateCommand("""
            SELECT channel, status, count(*) FROM messages WHERE event_id = ANY(@ids) GROUP BY channel, status;
            SELECT channel, count(*) FROM decisions WHERE event_id = ANY(@ids) AND outcome = 'blocked' GROUP BY channel;
            """);
        command.Parameters.AddWithValue("ids", broadcast.EventIds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!counts.TryGetValue(reader.GetString(0), out var row))
            {
                continue;
            }

            var index = reader.GetString(1) switch
            {
                MessageStatus.Queued => 0,
                MessageStatus.Sent or MessageStatus.Delivered => 1,
                MessageStatus.Cancelled => 4,
                _ => 2,
            };
            row[index] += reader.GetInt64(2);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (counts.TryGetValue(reader.GetString(0), out var row))
            {
                row[3] += reader.GetInt64(1);
            }
        }

        return counts.ToDictionary(c => c.Key, c => new BroadcastChannelProgress(c.Value[0], c.Value[1], c.Value[2], c.Value[3], c.Value[4]),
            StringComparer.Ordinal);
    }

    /// <summary>Marks a sending broadcast sent when every event is routed and no message is left queued; its time, or null.</summary>
    public async Task<DateTimeOffset?> FinishIfDoneAsync(SysBroadcast broadcast, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE sys_broadcasts SET status = 'sent', sent_at = @now, updated_at = @now
             WHERE id = @id AND status = 'sending'
               AND NOT EXISTS (SELECT 1 FROM events WHERE id = ANY(@ids) AND status = 'pending')
               AND NOT EXISTS (SELECT 1 FROM messages WHERE event_id = ANY(@ids) AND status = 'queued')
            RETURNING sent_at
            """);
        command.Parameters.AddWithValue("id", broadcast.Id);
        command.Parameters.AddWithValue("ids", broadcast.EventIds);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            DateTimeOffset at => at,
            DateTime at => new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)),
            _ => null,
        };
    }
}
