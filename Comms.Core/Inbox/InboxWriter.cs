using Comms.Core.Messages;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Inbox;

/// <summary>An in-app message delivered into a user's inbox, as pushed live (with <see cref="InboxItemView.PreviousCursor"/>).</summary>
public sealed record DeliveredItem(ClaimedMessage Message, InboxItemView Item);

/// <summary>
/// What a delivery did: the messages it finished (marked sent; the others lost their claim), the items it wrote,
/// and the unread counts of their users, taken after the commit.
/// </summary>
public sealed record InboxDelivery(
    IReadOnlyList<ClaimedMessage> Finished, IReadOnlyList<DeliveredItem> Items, IReadOnlyDictionary<Guid, UnreadCounts> Counts);

/// <summary>
/// Delivers in-app messages in batches: one transaction marks the messages sent (only those whose claim still
/// holds: fenced on the claim token) and writes their inbox items; a retry after a crash finds an item already there
/// and does not write it twice.
/// <para>
/// <b>A user's items are committed in the order of their cursors.</b> The transaction takes a lock per recipient
/// (an advisory lock, held until the commit) and gives each item a time later than the user's newest item, so an
/// item committed later always sorts after every item committed before it. A client that has seen the items up to a
/// cursor therefore finds everything it has not seen with <c>after=cursor</c> — even when two dispatchers deliver to
/// the same user at the same moment, or their clocks disagree. Each delivered item also names the cursor of the
/// item before it (<see cref="InboxItemView.PreviousCursor"/>), so a client can tell whether a push was missed.
/// </para>
/// </summary>
public sealed class InboxWriter(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>The first key of the advisory locks taken per recipient ("inbx").</summary>
    public const int LockSpace = 0x696E6278;

    public async Task<InboxDelivery> DeliverAsync(IReadOnlyList<ClaimedMessage> messages, CancellationToken cancellationToken)
    {
        var now = TruncateToMicroseconds(time.GetUtcNow());
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        List<ClaimedMessage> finished;
        List<DeliveredItem> items = [];
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var owned = await MessageQueue.MarkSentInTransactionAsync(
                connection, transaction, messages.Select(m => m.Claim).ToList(), AttemptProviders.InApp, now, cancellationToken);
            finished = messages.Where(m => owned.Contains(m.Id)).ToList();
            if (finished.Count > 0)
            {
                await LockRecipientsAsync(connection, transaction, finished, cancellationToken);
                items = await InsertAsync(connection, transaction, finished, now, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        var counts = items.Count == 0
            ? new Dictionary<Guid, UnreadCounts>()
            : await CountsAsync(connection, items.Select(i => i.Message.RecipientId).Distinct().ToArray(), cancellationToken);
        return new InboxDelivery(finished, items, counts);
    }

    /// <summary>
    /// Writes the inbox items of in-app messages that the router has just inserted already sent (in its own transaction,
    /// with their attempt rows and status webhooks: <c>RoutingCommands.Insert</c>): takes the recipients' advisory locks
    /// and writes the items exactly as <see cref="DeliverAsync"/> does. Returns the items written; the caller pushes them
    /// after its commit (<see cref="CountsAfterAsync"/> then gives the unread counts to push).
    /// </summary>
    public static async Task<List<DeliveredItem>> DeliverInlineAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<ClaimedMessage> messages, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var list = messages as List<ClaimedMessage> ?? [.. messages];
        await LockRecipientsAsync(connection, transaction, list, cancellationToken);
        return await InsertAsync(connection, transaction, list, now, cancellationToken);
    }

    /// <summary>The unread counts to push after a delivery's commit (one per recipient of <paramref name="items"/>).</summary>
    public static async Task<IReadOnlyDictionary<Guid, UnreadCounts>> CountsAfterAsync(
        NpgsqlConnection connection, IReadOnlyList<DeliveredItem> items, CancellationToken cancellationToken) =>
        items.Count == 0
            ? new Dictionary<Guid, UnreadCounts>()
            : await CountsAsync(connection, items.Select(i => i.Message.RecipientId).Distinct().ToArray(), cancellationToken);

    /// <summary>One advisory lock per recipient, in a fixed order so two deliveries cannot deadlock.</summary>
    private static async Task LockRecipientsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<ClaimedMessage> messages, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(@space, k.key)
              FROM (SELECT DISTINCT hashtext(r::text) AS key FROM unnest(@recipients) AS r ORDER BY 1) k
            """, connection, transaction);
        command.Parameters.AddWithValue("space", LockSpace);
        command.Parameters.AddWithValue("recipients", messages.Select(m => m.RecipientId).Distinct().ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<DeliveredItem>> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<ClaimedMessage> messages, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        // Read under the locks: the newest item of each recipient, after which the new ones sort.
        await using var command = new NpgsqlCommand("""
            WITH latest AS (
                SELECT r.id AS recipient, l.created_at, l.id
                  FROM unnest(@recipientSet) AS r(id)
                  LEFT JOIN LATERAL (SELECT created_at, id FROM inbox_items
                                      WHERE recipient_id = r.id ORDER BY created_at DESC, id DESC LIMIT 1) l ON true),
            inserted AS (
                INSERT INTO inbox_items (id, tenant_id, recipient_id, message_id, event_id, category, title, body, body_html,
                                         link, icon, thread_key, created_at)
                SELECT u.id, u.tenant, u.recipient, u.id, u.event, u.category, u.title, u.body, u.body_html, u.link, u.icon, u.thread,
                       -- A user's items of one batch follow each other a microsecond apart in the batch's (event) order:
                       -- ids (UUIDv7) are random below the millisecond, so they cannot order items of the same time.
                       GREATEST(@now, l.created_at + interval '1 microsecond')
                         + (row_number() OVER (PARTITION BY u.recipient ORDER BY u.ord) - 1) * interval '1 microsecond'
                  FROM unnest(@ids, @tenants, @recipients, @events, @categories, @titles, @bodies, @html, @links, @icons, @threads)
                       WITH ORDINALITY AS u(id, tenant, recipient, event, category, title, body, body_html, link, icon, thread, ord)
                  JOIN latest l ON l.recipient = u.recipient
                 -- Once per message: inbox_items is partitioned by month, so no unique index can hold message_id alone;
                 -- the recipient's advisory lock (held) makes this check race-free.
                 WHERE NOT EXISTS (SELECT 1 FROM inbox_items x WHERE x.message_id = u.id)
                RETURNING id, created_at)
            SELECT n.id, n.created_at, l.created_at, l.id
              FROM inserted n JOIN unnest(@ids, @recipients) AS u(id, recipient) ON u.id = n.id JOIN latest l ON l.recipient = u.recipient
            """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("now", now);
        p.AddWithValue("recipientSet", messages.Select(m => m.RecipientId).Distinct().ToArray());
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
        p.Add(new NpgsqlParameter("threads", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.Content.ThreadKey).ToArray() });

        var written = new List<(Guid Id, DateTimeOffset CreatedAt, InboxPosition Previous)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var previous = reader.IsDBNull(2)
                    ? InboxPosition.Start
                    : new InboxPosition(reader.GetFieldValue<DateTimeOffset>(2), reader.GetGuid(3));
                written.Add((reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), previous));
            }
        }

        // A user's items of one batch follow each other a microsecond apart, in the batch's order.
        var byId = messages.ToDictionary(m => m.Id);
        var delivered = new List<DeliveredItem>(written.Count);
        foreach (var user in written.GroupBy(w => byId[w.Id].RecipientId))
        {
            InboxPosition? previous = null;
            foreach (var (id, createdAt, before) in user.OrderBy(w => w.CreatedAt).ThenBy(w => w.Id))
            {
                var item = View(byId[id], createdAt) with { PreviousCursor = (previous ?? before).Cursor };
                delivered.Add(new DeliveredItem(byId[id], item));
                previous = item.Position;
            }
        }

        return delivered;
    }

    /// <summary>Unread and unseen counts per recipient, each capped at <see cref="UnreadCounts.Cap"/>, with the database's time.</summary>
    private static async Task<Dictionary<Guid, UnreadCounts>> CountsAsync(NpgsqlConnection connection, Guid[] recipients, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT r.id, c.unread, c.unseen, statement_timestamp()
              FROM unnest(@recipients) AS r(id)
             CROSS JOIN LATERAL (
                   SELECT count(*)::int AS unread, count(*) FILTER (WHERE seen_at IS NULL)::int AS unseen
                     FROM (SELECT seen_at FROM inbox_items
                            WHERE recipient_id = r.id AND read_at IS NULL AND archived_at IS NULL
                            LIMIT @cap) unread) c
            """, connection);
        command.Parameters.AddWithValue("recipients", recipients);
        command.Parameters.AddWithValue("cap", UnreadCounts.Cap);
        var counts = new Dictionary<Guid, UnreadCounts>(recipients.Length);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetGuid(0)] = new UnreadCounts(reader.GetInt32(1), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3));
        }

        return counts;
    }

    private static InboxItemView View(ClaimedMessage message, DateTimeOffset createdAt) =>
        InboxItemView.From(new InboxItem
        {
            Id = message.Id, TenantId = message.TenantId, RecipientId = message.RecipientId, MessageId = message.Id,
            EventId = message.EventId, Category = message.Category, Title = message.Content.Title ?? "",
            Body = message.Content.Body ?? "", BodyHtml = message.Content.BodyHtml ?? "", Link = message.Content.Link,
            Icon = message.Content.Icon, ThreadKey = message.Content.ThreadKey, CreatedAt = createdAt,
        });

    /// <summary>PostgreSQL keeps microseconds; cursors built from in-memory times must match what is read back.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero);
}
