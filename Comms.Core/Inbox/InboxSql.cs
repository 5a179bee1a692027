using Npgsql;

namespace Comms.Core.Inbox;

/// <summary>
/// The notification center's SQL over <c>inbox_items</c> — lists (flat or one row per thread), counts and state
/// changes — in one place (the delivery's insert is <see cref="InboxWriter"/>'s). Every statement names the user by
/// tenant and external id (<see cref="Owned"/>), so no statement can reach another user's or tenant's items.
/// </summary>
internal static class InboxSql
{
    public const string Table = "inbox_items";

    /// <summary>The columns <see cref="ReadItem"/> reads, in its order.</summary>
    public static string Columns(string alias) =>
        string.Join(", ", new[]
        {
            "id", "category", "title", "body", "body_html", "link", "icon", "thread_key", "created_at", "seen_at", "read_at", "archived_at",
        }.Select(c => $"{alias}.{c}"));

    private const string Recipient = "(SELECT r.id FROM recipients r WHERE r.tenant_id = @tenant AND r.external_id = @user)";

    /// <summary>The signed-in user's items (alias <c>i</c>).</summary>
    private const string Owned = "i.recipient_id = " + Recipient + " AND i.tenant_id = @tenant";

    /// <summary>Unread: what the badge counts (the partial index <c>ix_inbox_items_unread</c>).</summary>
    private const string Unread = "i.read_at IS NULL AND i.archived_at IS NULL";

    private static string Status(InboxFilter filter) => filter switch
    {
        InboxFilter.Unread => Unread,
        InboxFilter.Read => "i.read_at IS NOT NULL AND i.archived_at IS NULL",
        InboxFilter.Archived => "i.archived_at IS NOT NULL",
        _ => "i.archived_at IS NULL",
    };

    private static string Filter(InboxQuery query) =>
        $"{Owned} AND {Status(query.Status)}" + (string.IsNullOrEmpty(query.Category) ? "" : " AND i.category = @category");

    /// <summary>
    /// A page of <paramref name="take"/> rows next to the query's cursor: newest first from <c>before</c> (or the top),
    /// oldest first from <c>after</c>. Grouped by thread, each row is a thread's newest item with the thread's counts.
    /// </summary>
    public static NpgsqlBatchCommand List(string tenantId, string externalId, InboxQuery query, int take)
    {
        var (cursor, position, direction) = query switch
        {
            { After: { } after } => (">", (InboxPosition?)after, "ASC"),
            { Before: { } before } => ("<", before, "DESC"),
            _ => ("", (InboxPosition?)null, "DESC"),
        };

        string sql;
        if (query.Group == InboxGrouping.Thread)
        {
            var where = position is null ? "" : $"WHERE (g.created_at, g.id) {cursor} (@at, @id)";
            sql = $"""
                SELECT {Columns("g")}, g.thread_count, g.thread_unread
                  FROM (SELECT DISTINCT ON (f.thread) f.*,
                               count(*) OVER thread AS thread_count,
                               count(*) FILTER (WHERE f.read_at IS NULL) OVER thread AS thread_unread
                          FROM (SELECT i.*, COALESCE('t:' || i.thread_key, 'i:' || i.id::text) AS thread
                                  FROM {Table} i WHERE {Filter(query)}) f
                        WINDOW thread AS (PARTITION BY f.thread)
                         ORDER BY f.thread, f.created_at DESC, f.id DESC) g
                 {where}
                 ORDER BY g.created_at {direction}, g.id {direction}
                 LIMIT @take
                """;
        }
        else
        {
            var where = position is null ? "" : $" AND (i.created_at, i.id) {cursor} (@at, @id)";
            sql = $"""
                SELECT {Columns("i")}
                  FROM {Table} i
                 WHERE {Filter(query)}{where}
                 ORDER BY i.created_at {direction}, i.id {direction}
                 LIMIT @take
                """;
        }

        var command = Owner(new NpgsqlBatchCommand(sql), tenantId, externalId, query);
        command.Parameters.AddWithValue("take", take);
        if (position is { } p)
        {
            AddPosition(command, p);
        }

        return command;
    }

    /// <summary>Whether the list has an item at or beyond <paramref name="position"/>: newer (<paramref name="newer"/>) or older.</summary>
    public static NpgsqlBatchCommand AnyFrom(string tenantId, string externalId, InboxQuery query, InboxPosition position, bool newer)
    {
        var command = Owner(new NpgsqlBatchCommand(
            $"SELECT EXISTS (SELECT 1 FROM {Table} i WHERE {Filter(query)} AND (i.created_at, i.id) {(newer ? ">=" : "<=")} (@at, @id))"),
            tenantId, externalId, query);
        AddPosition(command, position);
        return command;
    }

    /// <summary>
    /// Unread and unseen (capped at <see cref="UnreadCounts.Cap"/>) and the statement's start, no later than the
    /// snapshot the counts come from — so of two counts the later-stamped one has seen every commit the other saw.
    /// </summary>
    public static NpgsqlBatchCommand Counts(string tenantId, string externalId) => Owner(new NpgsqlBatchCommand($"""
        SELECT count(*)::int, count(*) FILTER (WHERE u.seen_at IS NULL)::int, statement_timestamp()
          FROM (SELECT i.seen_at FROM {Table} i
                 WHERE i.recipient_id = {Recipient} AND {Unread}
                 LIMIT {UnreadCounts.Cap}) u
        """), tenantId, externalId);

    /// <summary>Sets one item's state; returns its row (<see cref="ReadItem"/>) and the database's time, or nothing when it is not the user's.</summary>
    public static NpgsqlCommand Change(NpgsqlConnection connection, string tenantId, string externalId, Guid id, InboxAction action, DateTimeOffset now)
    {
        var set = action switch
        {
            InboxAction.Read => "read_at = COALESCE(i.read_at, @now), seen_at = COALESCE(i.seen_at, @now)",
            InboxAction.Unread => "read_at = NULL",
            // Archiving an item is seeing it: it no longer waits to be noticed if it is unarchived.
            InboxAction.Archive => "archived_at = COALESCE(i.archived_at, @now), seen_at = COALESCE(i.seen_at, @now)",
            InboxAction.Unarchive => "archived_at = NULL",
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
        };
        var command = new NpgsqlCommand(
            $"UPDATE {Table} i SET {set} WHERE i.id = @id AND {Owned} RETURNING {Columns("i")}, clock_timestamp()", connection);
        Owner(command.Parameters, tenantId, externalId);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    /// <summary>Marks every unread item read (of a category, if given); returns how many, the newest one's time and the database's time.</summary>
    public static NpgsqlCommand ReadAll(NpgsqlConnection connection, string tenantId, string externalId, string? category, DateTimeOffset now)
    {
        var command = new NpgsqlCommand($"""
            WITH changed AS (
                UPDATE {Table} i SET read_at = @now, seen_at = COALESCE(i.seen_at, @now)
                 WHERE {Owned} AND i.read_at IS NULL{(category is null ? "" : " AND i.category = @category")}
                RETURNING i.created_at)
            SELECT count(*)::int, max(created_at), clock_timestamp() FROM changed
            """, connection);
        Owner(command.Parameters, tenantId, externalId);
        command.Parameters.AddWithValue("now", now);
        if (category is not null)
        {
            command.Parameters.AddWithValue("category", category);
        }

        return command;
    }

    /// <summary>Everything the user has now is seen (read items were seen when they were read, archived ones when archived).</summary>
    public static NpgsqlCommand Seen(NpgsqlConnection connection, string tenantId, string externalId, DateTimeOffset now)
    {
        var command = new NpgsqlCommand($"UPDATE {Table} i SET seen_at = @now WHERE {Owned} AND {Unread} AND i.seen_at IS NULL", connection);
        Owner(command.Parameters, tenantId, externalId);
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    public static InboxItemView ReadItem(NpgsqlDataReader reader) => InboxItemView.From(new InboxItem
    {
        Id = reader.GetGuid(0),
        TenantId = "",
        Category = reader.GetString(1),
        Title = reader.GetString(2),
        Body = reader.GetString(3),
        BodyHtml = reader.GetString(4),
        Link = reader.IsDBNull(5) ? null : reader.GetString(5),
        Icon = reader.IsDBNull(6) ? null : reader.GetString(6),
        ThreadKey = reader.IsDBNull(7) ? null : reader.GetString(7),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(8),
        SeenAt = reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
        ReadAt = reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
        ArchivedAt = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
    });

    /// <summary>Reads a row of <see cref="Counts"/> at <paramref name="offset"/>.</summary>
    public static UnreadCounts ReadCounts(NpgsqlDataReader reader, int offset = 0) =>
        new(reader.GetInt32(offset), reader.GetInt32(offset + 1), reader.GetFieldValue<DateTimeOffset>(offset + 2));

    private static NpgsqlBatchCommand Owner(NpgsqlBatchCommand command, string tenantId, string externalId, InboxQuery? query = null)
    {
        Owner(command.Parameters, tenantId, externalId);
        if (!string.IsNullOrEmpty(query?.Category))
        {
            command.Parameters.AddWithValue("category", query.Category);
        }

        return command;
    }

    private static void Owner(NpgsqlParameterCollection parameters, string tenantId, string externalId)
    {
        parameters.AddWithValue("tenant", tenantId);
        parameters.AddWithValue("user", externalId);
    }

    private static void AddPosition(NpgsqlBatchCommand command, InboxPosition position)
    {
        command.Parameters.AddWithValue("at", position.CreatedAt);
        command.Parameters.AddWithValue("id", position.Id);
    }
}
