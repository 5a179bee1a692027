using System.Text.Json;
using Npgsql;

namespace Comms.Core.Messages;

/// <summary>
/// The send queue over the <c>messages</c> table. Claims take a lease with <c>FOR UPDATE SKIP LOCKED</c>;
/// every later state change is fenced on the lease owner, so a dispatcher whose lease was taken over
/// cannot overwrite the new owner's outcome. A crash re-delivers only the rows that were leased.
/// </summary>
public sealed class MessageQueue(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string ClaimSql = """
        WITH claimed AS (
            UPDATE messages m
               SET lease_owner = @owner, lease_until = @lease_until, attempts = m.attempts + 1
             WHERE m.id IN (
                   SELECT id FROM messages
                    WHERE status = 'queued' AND channel = ANY(@channels) AND due_at <= @now
                      AND (lease_until IS NULL OR lease_until < @now)
                    ORDER BY due_at
                    LIMIT @limit
                    FOR UPDATE SKIP LOCKED)
            RETURNING m.*)
        SELECT c.id, c.tenant_id, c.event_id, c.recipient_id, r.external_id, c.channel, c.category,
               c.template_name, c.template_version, c.locale, c.cause_ref, c.address, c.attempts,
               c.escalation_of, c.trace_parent, mr.content::text,
               EXISTS (SELECT 1 FROM inbox_items i
                        WHERE i.message_id = c.escalation_of AND (i.read_at IS NOT NULL OR i.archived_at IS NOT NULL)),
               c.due_at
          FROM claimed c
          JOIN recipients r ON r.id = c.recipient_id
          JOIN message_renders mr ON mr.message_id = c.id
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(
        string[] channels, string owner, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("lease_until", now + lease);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("channels", channels);

        var claimed = new List<ClaimedMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedMessage(
                Id: reader.GetGuid(0),
                TenantId: reader.GetString(1),
                EventId: reader.IsDBNull(2) ? null : reader.GetGuid(2),
                RecipientId: reader.GetGuid(3),
                RecipientExternalId: reader.GetString(4),
                Channel: reader.GetString(5),
                Category: reader.GetString(6),
                TemplateName: reader.GetString(7),
                TemplateVersion: reader.GetInt32(8),
                Locale: reader.IsDBNull(9) ? null : reader.GetString(9),
                CauseRef: reader.GetString(10),
                Address: reader.IsDBNull(11) ? null : reader.GetString(11),
                Attempts: reader.GetInt32(12),
                EscalationOf: reader.IsDBNull(13) ? null : reader.GetGuid(13),
                TraceParent: reader.IsDBNull(14) ? null : reader.GetString(14),
                Content: JsonSerializer.Deserialize<RenderedContent>(reader.GetString(15), Json)!,
                EscalationSatisfied: reader.GetBoolean(16),
                DueAt: reader.GetFieldValue<DateTimeOffset>(17)));
        }

        return claimed;
    }

    public Task<bool> MarkSentAsync(Guid id, string owner, string? providerMessageId, CancellationToken cancellationToken) =>
        FinishAsync(id, owner, MessageStatus.Sent, providerMessageId, error: null, cancellationToken);

    public Task<bool> MarkFailedAsync(Guid id, string owner, string error, CancellationToken cancellationToken) =>
        FinishAsync(id, owner, MessageStatus.Failed, providerMessageId: null, error, cancellationToken);

    public Task<bool> MarkCancelledAsync(Guid id, string owner, string reason, CancellationToken cancellationToken) =>
        FinishAsync(id, owner, MessageStatus.Cancelled, providerMessageId: null, reason, cancellationToken);

    /// <summary>Puts a message back in the queue for another attempt at <paramref name="retryAt"/>.</summary>
    public async Task<bool> RetryLaterAsync(Guid id, string owner, DateTimeOffset retryAt, string error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE messages SET due_at = @retry_at, last_error = @error, lease_owner = NULL, lease_until = NULL
             WHERE id = @id AND lease_owner = @owner AND status = 'queued'
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("retry_at", retryAt);
        command.Parameters.AddWithValue("error", Truncate(error));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Marks a message done within a caller's transaction (used when the send itself is a database write).</summary>
    public static NpgsqlBatchCommand FinishCommand(Guid id, string owner, string status, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand("""
            UPDATE messages SET status = @status, sent_at = CASE WHEN @status = 'sent' THEN @now ELSE sent_at END,
                   lease_owner = NULL, lease_until = NULL
             WHERE id = @id AND lease_owner = @owner AND status = 'queued'
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    /// <summary>When the next queued message of these channels becomes due.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(string[] channels, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT min(due_at) FROM messages WHERE status = 'queued' AND channel = ANY(@channels)");
        command.Parameters.AddWithValue("channels", channels);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : null;
    }

    private async Task<bool> FinishAsync(
        Guid id, string owner, string status, string? providerMessageId, string? error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE messages SET status = @status, provider_message_id = COALESCE(@provider_id, provider_message_id),
                   last_error = COALESCE(@error, last_error),
                   sent_at = CASE WHEN @status = 'sent' THEN @now ELSE sent_at END,
                   lease_owner = NULL, lease_until = NULL
             WHERE id = @id AND lease_owner = @owner AND status = 'queued'
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("provider_id", (object?)providerMessageId ?? DBNull.Value);
        command.Parameters.AddWithValue("error", (object?)(error is null ? null : Truncate(error)) ?? DBNull.Value);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static string Truncate(string value) => value.Length > 2000 ? value[..2000] : value;
}
