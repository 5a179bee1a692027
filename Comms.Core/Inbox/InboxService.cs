using Npgsql;

namespace Comms.Core.Inbox;

/// <summary>
/// The end user's notification center (SPEC S5): pages both ways from a cursor, filters, threads, counts, and
/// idempotent state changes. A change answers the item's new state and the counts taken after its commit, each
/// stamped with the database's time, so that pushes of them can be ordered by whoever receives them
/// (<see cref="NotificationChange.At"/>, <see cref="UnreadCounts.AsOf"/>). Live pushes are the caller's
/// (Comms.Realtime <c>LiveInbox</c>).
/// </summary>
public sealed class InboxService(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const int MaxPageSize = 100;

    public async Task<InboxPage> ListAsync(string tenantId, string externalId, InboxQuery query, CancellationToken cancellationToken)
    {
        if (query is { Before: not null, After: not null })
        {
            throw new ArgumentException("A page is asked either before or after a cursor, not both.", nameof(query));
        }

        var limit = Math.Clamp(query.Limit, 1, MaxPageSize);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(InboxSql.List(tenantId, externalId, query, limit + 1));
        // Beyond the page's far end the list says whether there is more; at its near end one probe does.
        var probe = query.Before ?? query.After;
        if (probe is { } at)
        {
            batch.BatchCommands.Add(InboxSql.AnyFrom(tenantId, externalId, query, at, newer: query.Before is not null));
        }

        batch.BatchCommands.Add(InboxSql.Counts(tenantId, externalId));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var rows = new List<InboxItemView>(limit + 1);
        var grouped = query.Group == InboxGrouping.Thread;
        while (await reader.ReadAsync(cancellationToken))
        {
            var item = InboxSql.ReadItem(reader);
            rows.Add(grouped ? item with { ThreadCount = (int)reader.GetInt64(12), ThreadUnread = (int)reader.GetInt64(13) } : item);
        }

        var beyondNearEnd = false;
        if (probe is not null)
        {
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            beyondNearEnd = reader.GetBoolean(0);
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var counts = InboxSql.ReadCounts(reader);

        var more = rows.Count > limit;
        var items = rows.Take(limit).ToList();
        if (query.After is { } after)
        {
            items.Reverse();
            return new InboxPage(
                items,
                NextCursor: beyondNearEnd ? (items.Count > 0 ? items[^1].Cursor : after.Cursor) : null,
                NewerCursor: items.Count > 0 ? items[0].Cursor : after.Cursor,
                HasNewer: more, counts.Unread, counts.Unseen, counts.AsOf);
        }

        return new InboxPage(
            items,
            NextCursor: more ? items[^1].Cursor : null,
            // With nothing older than the page's cursor, every item is newer: catching up from the start finds them.
            NewerCursor: items.Count > 0 ? items[0].Cursor : InboxCursor.Start,
            HasNewer: beyondNearEnd, counts.Unread, counts.Unseen, counts.AsOf);
    }

    public async Task<UnreadCounts> CountAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await CountsAsync(connection, tenantId, externalId, cancellationToken);
    }

    /// <summary>
    /// Reads, unreads, archives or unarchives one item (doing it again changes nothing and answers the same);
    /// null when the item is not this user's.
    /// </summary>
    public async Task<(NotificationChange Change, UnreadCounts Counts)?> ChangeAsync(
        string tenantId, string externalId, Guid itemId, InboxAction action, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        InboxItemView item;
        DateTimeOffset at;
        await using (var command = InboxSql.Change(connection, tenantId, externalId, itemId, action, Now()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            item = InboxSql.ReadItem(reader);
            at = reader.GetFieldValue<DateTimeOffset>(12);
        }

        // Counted after the change committed, so the newest counts a client receives include every change before them.
        var counts = await CountsAsync(connection, tenantId, externalId, cancellationToken);
        return (new NotificationChange(NotificationChange.NameOf(action), item.Id, item, null, null, at), counts);
    }

    /// <summary>Marks every unread item read (only those of <paramref name="category"/> when given); the change is null when there was none.</summary>
    public async Task<(NotificationChange? Change, UnreadCounts Counts)> ReadAllAsync(
        string tenantId, string externalId, string? category, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        NotificationChange? change = null;
        await using (var command = InboxSql.ReadAll(connection, tenantId, externalId, category, Now()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt32(0) > 0)
            {
                change = new NotificationChange(NotificationChange.ReadAll, null, null, category,
                    reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2));
            }
        }

        return (change, await CountsAsync(connection, tenantId, externalId, cancellationToken));
    }

    /// <summary>Everything the user has up to now is seen: the unseen count drops to zero.</summary>
    public async Task<UnreadCounts> SeenAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var command = InboxSql.Seen(connection, tenantId, externalId, Now()))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return await CountsAsync(connection, tenantId, externalId, cancellationToken);
    }

    private DateTimeOffset Now() => InboxWriter.TruncateToMicroseconds(time.GetUtcNow());

    private static async Task<UnreadCounts> CountsAsync(NpgsqlConnection connection, string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { InboxSql.Counts(tenantId, externalId) } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return InboxSql.ReadCounts(reader);
    }
}
