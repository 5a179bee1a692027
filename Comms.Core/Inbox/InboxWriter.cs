using Comms.Core.Messages;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Inbox;

/// <summary>An in-app message delivered into a user's inbox.</summary>
public sealed record DeliveredItem(ClaimedMessage Message, InboxItemView Item);

/// <summary>
/// Delivers in-app messages in batches: one transaction marks the messages sent (only those whose
/// claim still holds: fenced on the claim token), writes their inbox items, and reads the new unread counts of
/// each recipient. A retry after a crash finds an item already there and does not write it twice.
/// </summary>
public sealed class InboxWriter(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<(IReadOnlyList<DeliveredItem> Delivered, IReadOnlyDictionary<Guid, UnreadCounts> Counts)> DeliverAsync(
        IReadOnlyList<ClaimedMessage> messages, CancellationToken cancellationToken)
    {
        var now = TruncateToMicroseconds(time.GetUtcNow());
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var owned = await MessageQueue.MarkSentInTransactionAsync(connection, transaction, messages.Select(m => m.Claim).ToList(), now, cancellationToken);
        var delivered = messages.Where(m => owned.Contains(m.Id)).ToList();
        var counts = new Dictionary<Guid, UnreadCounts>();
        if (delivered.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(InsertItems(delivered, now));
            batch.BatchCommands.Add(Counts(delivered.Select(m => m.RecipientId).Distinct().ToArray()));
            // The insert returns no rows; the counts are the batch's only result set.
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            do
            {
                while (reader.FieldCount == 3 && await reader.ReadAsync(cancellationToken))
                {
                    counts[reader.GetGuid(0)] = new UnreadCounts(reader.GetInt32(1), reader.GetInt32(2));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return (delivered.Select(m => new DeliveredItem(m, View(m, now))).ToList(), counts);
    }

    private static NpgsqlBatchCommand InsertItems(List<ClaimedMessage> messages, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO inbox_items (id, tenant_id, recipient_id, message_id, event_id, category, title, body, body_html,
                                     link, icon, thread_key, created_at)
            SELECT u.id, u.tenant, u.recipient, u.id, u.event, u.category, u.title, u.body, u.body_html, u.link, u.icon, u.thread, @now
              FROM unnest(@ids, @tenants, @recipients, @events, @categories, @titles, @bodies, @html, @links, @icons, @threads)
                AS u(id, tenant, recipient, event, category, title, body, body_html, link, icon, thread)
            ON CONFLICT DO NOTHING
            """);
        var p = command.Parameters;
        p.AddWithValue("now", now);
        p.AddWithValue("ids", messages.Select(m => m.Id).ToArray());
        p.AddWithValue("tenants", messages.Select(m => m.TenantId).ToArray());
        p.AddWithValue("recipients", messages.Select(m => m.RecipientId).ToArray());
        p.Add(new NpgsqlParameter("events", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = messages.Select(m => m.EventId).ToArray() });
        p.AddWithValue("categories", messages.Select(m => m.Category).ToArray());
        p.AddWithValue("titles", messages.Select(m => m.Content.Title ?? "").ToArray());
        p.AddWithValue("bodies", messages.Select(m => m.Content.Body ?? "").ToArray());
        p.AddWithValue("html", messages.Select(m => m.Content.BodyHtml ?? "").ToArray());
        p.Add(new NpgsqlParameter("links", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.Content.Link).ToArray() });
        p.Add(new NpgsqlParameter("icons", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.Content.Icon).ToArray() });
        p.AddWithValue("threads", messages.Select(m => m.CauseRef).ToArray());
        return command;
    }

    /// <summary>Unread and unseen counts per recipient, each capped at <see cref="UnreadCounts.Cap"/>.</summary>
    private static NpgsqlBatchCommand Counts(Guid[] recipients)
    {
        var command = new NpgsqlBatchCommand("""
            SELECT r.id, c.unread, c.unseen
              FROM unnest(@recipients) AS r(id)
             CROSS JOIN LATERAL (
                   SELECT count(*)::int AS unread, count(*) FILTER (WHERE seen_at IS NULL)::int AS unseen
                     FROM (SELECT seen_at FROM inbox_items
                            WHERE recipient_id = r.id AND read_at IS NULL AND archived_at IS NULL
                            LIMIT @cap) unread) c
            """);
        command.Parameters.AddWithValue("recipients", recipients);
        command.Parameters.AddWithValue("cap", UnreadCounts.Cap);
        return command;
    }

    private static InboxItemView View(ClaimedMessage message, DateTimeOffset createdAt) =>
        InboxItemView.From(new InboxItem
        {
            Id = message.Id, TenantId = message.TenantId, RecipientId = message.RecipientId, MessageId = message.Id,
            EventId = message.EventId, Category = message.Category, Title = message.Content.Title ?? "",
            Body = message.Content.Body ?? "", BodyHtml = message.Content.BodyHtml ?? "", Link = message.Content.Link,
            Icon = message.Content.Icon, ThreadKey = message.CauseRef, CreatedAt = createdAt,
        });

    /// <summary>PostgreSQL keeps microseconds; cursors built from in-memory times must match what is read back.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero);
}
