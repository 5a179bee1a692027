using Comms.Core.Messages;
using Npgsql;

namespace Comms.Core.Inbox;

/// <summary>
/// Delivers an in-app message: writes the inbox item and marks the message sent in one transaction
/// (a retry after a crash finds the item already there and does not write it twice).
/// </summary>
public sealed class InboxWriter(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Returns the stored item, or null when the lease on the message was lost.</summary>
    public async Task<(InboxItemView Item, UnreadCounts Counts)?> DeliverAsync(
        ClaimedMessage message, string owner, CancellationToken cancellationToken)
    {
        var now = TruncateToMicroseconds(time.GetUtcNow());
        var item = new InboxItem
        {
            Id = message.Id,
            TenantId = message.TenantId,
            RecipientId = message.RecipientId,
            MessageId = message.Id,
            EventId = message.EventId,
            Category = message.Category,
            Title = message.Content.Title ?? "",
            Body = message.Content.Body ?? "",
            BodyHtml = message.Content.BodyHtml ?? "",
            Link = message.Content.Link,
            Icon = message.Content.Icon,
            ThreadKey = message.CauseRef,
            CreatedAt = now,
        };

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);

        var insert = new NpgsqlBatchCommand("""
            INSERT INTO inbox_items (id, tenant_id, recipient_id, message_id, event_id, category, title, body, body_html,
                                     link, icon, thread_key, created_at)
            VALUES (@id, @tenant, @recipient, @message, @event, @category, @title, @body, @body_html, @link, @icon, @thread, @now)
            ON CONFLICT DO NOTHING
            """);
        insert.Parameters.AddWithValue("id", item.Id);
        insert.Parameters.AddWithValue("tenant", item.TenantId);
        insert.Parameters.AddWithValue("recipient", item.RecipientId);
        insert.Parameters.AddWithValue("message", item.MessageId);
        insert.Parameters.Add(new NpgsqlParameter("event", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)item.EventId ?? DBNull.Value });
        insert.Parameters.AddWithValue("category", item.Category);
        insert.Parameters.AddWithValue("title", item.Title);
        insert.Parameters.AddWithValue("body", item.Body);
        insert.Parameters.AddWithValue("body_html", item.BodyHtml);
        insert.Parameters.Add(new NpgsqlParameter("link", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)item.Link ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("icon", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)item.Icon ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("thread", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)item.ThreadKey ?? DBNull.Value });
        insert.Parameters.AddWithValue("now", now);
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(MessageQueue.FinishCommand(message.Id, owner, MessageStatus.Sent, now));

        var counts = new NpgsqlBatchCommand("""
            SELECT count(*)::int, count(*) FILTER (WHERE seen_at IS NULL)::int
              FROM (SELECT seen_at FROM inbox_items
                     WHERE recipient_id = @recipient AND read_at IS NULL AND archived_at IS NULL
                     LIMIT @cap) unread
            """);
        counts.Parameters.AddWithValue("cap", UnreadCounts.Cap);
        counts.Parameters.AddWithValue("recipient", item.RecipientId);
        batch.BatchCommands.Add(counts);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var unread = new UnreadCounts(reader.GetInt32(0), reader.GetInt32(1));
        await reader.CloseAsync();

        if (batch.BatchCommands[1].RecordsAffected != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return null;
        }

        await transaction.CommitAsync(cancellationToken);
        return (InboxItemView.From(item), unread);
    }

    /// <summary>PostgreSQL keeps microseconds; cursors built from in-memory times must match what is read back.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero);
}
