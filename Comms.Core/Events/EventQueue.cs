using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Events;

/// <summary>
/// The routing queue over the <c>events</c> table: due pending events are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> and a lease, so several dispatchers never route the same event at once,
/// and an event whose dispatcher died is claimed again when its lease runs out.
/// </summary>
public sealed class EventQueue(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string ClaimSql = """
        UPDATE events e
           SET lease_owner = @owner, lease_until = @lease_until, attempts = e.attempts + 1
         WHERE e.id IN (
               SELECT id FROM events
                WHERE status = 'pending' AND due_at <= @now
                  AND (lease_until IS NULL OR lease_until < @now)
                ORDER BY due_at, id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
        RETURNING e.id, e.tenant_id, e.name, e.category, e.priority, e.cause_ref, e.actor, e.payload::text,
                  e.locale, e.accept_language, e.recipients, e.audience::text, e.send_at, e.due_at,
                  e.attempts, e.routing_cursor, e.trace_parent, e.created_at
        """;

    public async Task<IReadOnlyList<EventRecord>> ClaimAsync(string owner, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("lease_until", now + lease);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", limit);

        var claimed = new List<EventRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new EventRecord
            {
                Id = reader.GetGuid(0),
                TenantId = reader.GetString(1),
                Name = reader.GetString(2),
                Category = reader.GetString(3),
                Priority = reader.GetString(4),
                CauseRef = reader.GetString(5),
                Actor = reader.IsDBNull(6) ? null : reader.GetString(6),
                Payload = reader.GetString(7),
                Locale = reader.IsDBNull(8) ? null : reader.GetString(8),
                AcceptLanguage = reader.IsDBNull(9) ? null : reader.GetString(9),
                Recipients = reader.IsDBNull(10) ? null : reader.GetFieldValue<string[]>(10),
                Audience = reader.IsDBNull(11) ? null : reader.GetString(11),
                SendAt = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12),
                DueAt = reader.GetFieldValue<DateTimeOffset>(13),
                Attempts = reader.GetInt32(14),
                RoutingCursor = reader.IsDBNull(15) ? null : reader.GetGuid(15),
                TraceParent = reader.IsDBNull(16) ? null : reader.GetString(16),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(17),
                LeaseOwner = owner,
            });
        }

        return claimed;
    }

    /// <summary>Marks an event routed (only while this owner still holds its lease).</summary>
    public async Task CompleteAsync(Guid eventId, string owner, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE events SET status = 'routed', routed_at = @now, lease_owner = NULL, lease_until = NULL
             WHERE id = @id AND lease_owner = @owner
            """);
        command.Parameters.AddWithValue("id", eventId);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Gives the event back for a later attempt, or fails it after too many attempts.</summary>
    public async Task ReleaseAsync(Guid eventId, string owner, string error, DateTimeOffset retryAt, bool giveUp, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE events SET status = CASE WHEN @give_up THEN 'failed' ELSE status END,
                   due_at = @retry_at, error = @error, lease_owner = NULL, lease_until = NULL
             WHERE id = @id AND lease_owner = @owner
            """);
        command.Parameters.AddWithValue("id", eventId);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("give_up", giveUp);
        command.Parameters.AddWithValue("retry_at", retryAt);
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = error.Length > 2000 ? error[..2000] : error });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>When the next pending event becomes due, so an idle dispatcher can sleep until then.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT min(due_at) FROM events WHERE status = 'pending'");
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : null;
    }
}
