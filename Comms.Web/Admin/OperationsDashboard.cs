using Npgsql;

namespace Comms.Web.Admin;

/// <summary>One channel's line on the operations dashboard.</summary>
public sealed record ChannelFigures(string Channel, long Queued, TimeSpan? OldestWait, long Sent, long Failed, long Suppressed, long Deferred);

/// <summary>
/// The operations dashboard's figures (SPEC S10), straight from the system of record: per channel the queue depth and
/// how long its oldest due message has waited, and over the last hour the messages sent, failed (dead-lettered),
/// suppressed (decided but not sent: the address is suppressed) and deferred (held by a rate limit). An operator
/// with tenant grants sees only their tenants' figures.
/// </summary>
public sealed class OperationsDashboard(NpgsqlDataSource dataSource, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Channels = ["email", "push", "sms", "in_app", "webhook"];

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public async Task<IReadOnlyList<ChannelFigures>> ReadAsync(IReadOnlyList<string>? tenants, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = now - Window;
        await using var batch = dataSource.CreateBatch();
        // Queued: whatever its age (a stuck message is what the dashboard is for). Recent: rows created within a day
        // (the table is partitioned by creation time) that finished within the window.
        batch.BatchCommands.Add(Command("""
            SELECT channel, count(*), min(due_at) FILTER (WHERE due_at <= @now),
                   count(*) FILTER (WHERE last_error LIKE 'COMMS_RATE_LIMITED%')
              FROM messages WHERE status = 'queued' AND (@all OR tenant_id = ANY(@tenants)) GROUP BY channel
            """));
        batch.BatchCommands.Add(Command("""
            SELECT channel, count(*) FILTER (WHERE status = 'sent' AND sent_at >= @since),
                   count(*) FILTER (WHERE status = 'failed' AND failed_at >= @since)
              FROM messages WHERE created_at >= @day AND (@all OR tenant_id = ANY(@tenants)) GROUP BY channel
            """));
        batch.BatchCommands.Add(Command("""
            SELECT channel, count(*) FROM decisions
             WHERE created_at >= @since AND reason = 'COMMS_SUPPRESSED' AND (@all OR tenant_id = ANY(@tenants)) GROUP BY channel
            """));
        foreach (NpgsqlBatchCommand command in batch.BatchCommands)
        {
            command.Parameters.AddWithValue("all", tenants is null);
            command.Parameters.AddWithValue("tenants", (tenants ?? []).ToArray());
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("since", since);
            command.Parameters.AddWithValue("day", now - TimeSpan.FromDays(1));
        }

        var queued = new Dictionary<string, (long Count, DateTimeOffset? Oldest, long Deferred)>(StringComparer.Ordinal);
        var recent = new Dictionary<string, (long Sent, long Failed)>(StringComparer.Ordinal);
        var suppressed = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            queued[reader.GetString(0)] = (reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            recent[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            suppressed[reader.GetString(0)] = reader.GetInt64(1);
        }

        return Channels.Select(channel =>
        {
            var q = queued.GetValueOrDefault(channel);
            var r = recent.GetValueOrDefault(channel);
            return new ChannelFigures(channel, q.Count, q.Oldest is { } oldest ? now - oldest : null, r.Sent, r.Failed,
                suppressed.GetValueOrDefault(channel), q.Deferred);
        }).ToList();
    }

    private static NpgsqlBatchCommand Command(string sql) => new(sql);
}
