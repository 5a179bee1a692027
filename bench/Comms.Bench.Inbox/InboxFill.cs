using System.Diagnostics;
using Npgsql;

namespace Comms.Bench.Inbox;

/// <summary>
/// Fills one tenant's inbox straight in PostgreSQL: <c>--users</c> recipients (<c>inbox-000001</c>…) and 100 items each,
/// interleaved in time across users as real delivery would write them (a user's items are spread over the table),
/// over the last 90 days. Per user, like a real inbox: the 90 older items mostly read (15% left unread, 5% archived),
/// the 10 newest unread, the 5 newest unseen; four categories; a fifth of the items in threads; a third with a link.
/// The secondary indexes and the primary key are dropped during the load and rebuilt exactly as they were, then
/// VACUUM ANALYZE (as autovacuum would after a while).
/// </summary>
internal static class InboxFill
{
    private const int ItemsPerUser = 100;
    private const int Chunk = 500_000;

    public static async Task RunAsync(InboxBenchOptions options)
    {
        var users = options.Users;
        long total = (long)users * ItemsPerUser;
        await using var dataSource = NpgsqlDataSource.Create(options.Db);
        var watch = Stopwatch.StartNew();
        await ExecAsync(dataSource, """
            INSERT INTO recipients (id, tenant_id, external_id, name, locale, time_zone, quiet_hours_enabled, quiet_hours_start, quiet_hours_end,
                                    quiet_hours_exceptions, roles, attributes, dm_muted_channels, created_at, updated_at)
            SELECT gen_random_uuid(), @tenant, 'inbox-' || lpad(n::text, 6, '0'), 'Inbox user ' || n, 'en-US', 'UTC', false, '22:00', '07:00',
                   '{}', '{}', '{}'::jsonb, '{}', now(), now()
              FROM generate_series(1, @users) n
            ON CONFLICT (tenant_id, external_id) DO NOTHING
            """, ("tenant", options.Tenant), ("users", users));
        Console.WriteLine($"  {users:N0} recipients in {watch.Elapsed.TotalSeconds:F0} s");

        // Keep the table's indexes as the migrations made them; drop them for the load and rebuild them afterwards.
        var indexes = new List<(string Name, string Definition)>();
        await using (var command = dataSource.CreateCommand(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'inbox_items' AND indexname <> 'pk_inbox_items' ORDER BY indexname"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        await ExecAsync(dataSource, string.Concat(indexes.Select(i => $"DROP INDEX \"{i.Name}\";")) + "ALTER TABLE inbox_items DROP CONSTRAINT pk_inbox_items;");

        watch.Restart();
        var chunks = (int)((total + Chunk - 1) / Chunk);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using (var setup = new NpgsqlCommand("""
                CREATE TEMP TABLE fill_users AS
                SELECT (row_number() OVER (ORDER BY external_id) - 1)::int AS n, id FROM recipients
                 WHERE tenant_id = @tenant AND external_id LIKE 'inbox-%';
                ANALYZE fill_users;
                """, connection))
            {
                setup.Parameters.AddWithValue("tenant", options.Tenant);
                await setup.ExecuteNonQueryAsync();
            }

            for (var chunk = Interlocked.Increment(ref next); chunk < chunks; chunk = Interlocked.Increment(ref next))
            {
                await using var insert = new NpgsqlCommand(InsertSql, connection) { CommandTimeout = 0 };
                insert.Parameters.AddWithValue("tenant", options.Tenant);
                insert.Parameters.AddWithValue("users", users);
                insert.Parameters.AddWithValue("total", total);
                insert.Parameters.AddWithValue("from", (long)chunk * Chunk);
                insert.Parameters.AddWithValue("to", Math.Min(total, (long)(chunk + 1) * Chunk) - 1);
                await insert.ExecuteNonQueryAsync();
            }
        })));
        Console.WriteLine($"  {total:N0} inbox items inserted in {watch.Elapsed.TotalSeconds:F0} s");

        watch.Restart();
        await ExecAsync(dataSource, "SET maintenance_work_mem = '1GB'; ALTER TABLE inbox_items ADD CONSTRAINT pk_inbox_items PRIMARY KEY (id, created_at);"
            + string.Concat(indexes.Select(i => i.Definition + ";")));
        Console.WriteLine($"  primary key and {indexes.Count} indexes rebuilt in {watch.Elapsed.TotalSeconds:F0} s");
        watch.Restart();
        await ExecAsync(dataSource, "VACUUM ANALYZE inbox_items");
        await ExecAsync(dataSource, "VACUUM ANALYZE recipients");
        Console.WriteLine($"  VACUUM ANALYZE in {watch.Elapsed.TotalSeconds:F0} s");

        await using var sizes = dataSource.CreateCommand("""
            SELECT c.relname, pg_size_pretty((SELECT sum(pg_relation_size(t.relid)) FROM pg_partition_tree(c.oid) t)::bigint) FROM pg_class c
             WHERE c.relname = 'inbox_items' OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'inbox_items'::regclass)
             ORDER BY c.relname
            """);
        await using var rows = await sizes.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            Console.WriteLine($"  {rows.GetString(0)}: {rows.GetString(1)}");
        }
    }

    // k = the item's position in its user's inbox (0 oldest … 99 newest); h = a well-mixed 0..99 per item.
    private const string InsertSql = """
        INSERT INTO inbox_items (id, tenant_id, recipient_id, message_id, event_id, category, title, body, body_html, link, icon,
                                 thread_key, created_at, seen_at, read_at, archived_at)
        SELECT gen_random_uuid(), @tenant, u.id, gen_random_uuid(), gen_random_uuid(),
               (ARRAY['account', 'billing', 'social', 'product'])[1 + (x.h % 4)],
               'Notification ' || g || ' for you',
               'Something happened that you may want to look at: item ' || g || '. Open it to see the details.',
               '<p>Something happened that you may want to look at: item ' || g || '. Open it to see the details.</p>',
               CASE WHEN g % 3 = 0 THEN 'https://example.test/items/' || g END, NULL,
               CASE WHEN x.h % 5 = 0 THEN 'thread-' || (g % @users) || '-' || (x.h % 3) END,
               x.at,
               CASE WHEN x.k < 95 THEN x.at + interval '30 minutes' END,
               CASE WHEN x.k < 90 AND x.h >= 15 THEN x.at + interval '1 hour' END,
               CASE WHEN x.k < 90 AND x.h < 5 THEN x.at + interval '2 hours' END
          FROM generate_series(@from::bigint, @to::bigint) g
          CROSS JOIN LATERAL (SELECT (g / @users)::int AS k, ((g * 2654435761) % 1000003 % 100)::int AS h,
                                     date_trunc('milliseconds', now() - interval '90 days' + (g::float8 / @total) * interval '90 days') AS at) x
          JOIN fill_users u ON u.n = (g % @users)::int
        """;

    private static async Task ExecAsync(NpgsqlDataSource dataSource, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
