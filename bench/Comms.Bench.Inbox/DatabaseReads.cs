using System.Diagnostics;
using System.Reflection;
using Comms.Core.Inbox;
using Npgsql;

namespace Comms.Bench.Inbox;

/// <summary>
/// The notification center's reads at the database: the API's own code (<see cref="InboxService"/>, so the same
/// statements in the same batch) for the first page (the list + the counts) and for the count, one random user at a
/// time over the filled inbox, beside a <c>SELECT 1</c> round trip on the same connection pool (the floor). Then the
/// statements themselves (taken from the internal InboxSql, as the service builds them) under EXPLAIN (ANALYZE, BUFFERS).
/// </summary>
internal static class DatabaseReads
{
    public static async Task RunAsync(InboxBenchOptions options)
    {
        await using var dataSource = NpgsqlDataSource.Create(options.Db);
        var inbox = new InboxService(dataSource, TimeProvider.System);
        var first = new InboxQuery();
        var RandomUser = options.RandomUser;

        // Warm-up (JIT, pool, plan caches); the data itself is as warm as the fill left it.
        for (var i = 0; i < 200; i++)
        {
            await inbox.ListAsync(options.Tenant, RandomUser(), first, CancellationToken.None);
            await inbox.CountAsync(options.Tenant, RandomUser(), CancellationToken.None);
        }

        var floor = new List<double>();
        var page = new List<double>();
        var count = new List<double>();
        long items = 0, unread = 0;
        for (var i = 0; i < options.Requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await using (var connection = await dataSource.OpenConnectionAsync())
            await using (var select = new NpgsqlCommand("SELECT 1", connection))
            {
                await select.ExecuteScalarAsync();
            }

            floor.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            var result = await inbox.ListAsync(options.Tenant, RandomUser(), first, CancellationToken.None);
            page.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            items += result.Items.Count;
            started = Stopwatch.GetTimestamp();
            var counts = await inbox.CountAsync(options.Tenant, RandomUser(), CancellationToken.None);
            count.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            unread += counts.Unread;
        }

        Console.WriteLine($"  {options.Requests} random users of {options.Users:N0}, one at a time (on average {items / (double)options.Requests:F1} items on the first page, {unread / (double)options.Requests:F1} unread)");
        Console.WriteLine($"  first page (list of 20 + counts, one batch): {Stats.Summary(page)}");
        Console.WriteLine($"  count (unread + unseen):                     {Stats.Summary(count)}");
        Console.WriteLine($"  baseline SELECT 1 (same pool):               {Stats.Summary(floor)}");

        var sql = typeof(InboxService).Assembly.GetType("Comms.Core.Inbox.InboxSql", throwOnError: true)!;
        var user = RandomUser();
        var list = (NpgsqlBatchCommand)sql.GetMethod("List", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, [options.Tenant, user, first, first.Limit + 1])!;
        var counting = (NpgsqlBatchCommand)sql.GetMethod("Counts", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [options.Tenant, user])!;
        foreach (var (name, statement) in new[] { ("first page: the list", list), ("first page and count: the counts", counting) })
        {
            Console.WriteLine();
            Console.WriteLine($"  EXPLAIN (ANALYZE, BUFFERS) of {name}, user {user}:");
            Console.WriteLine("    " + statement.CommandText.ReplaceLineEndings("\n    "));
            await using var explain = dataSource.CreateCommand("EXPLAIN (ANALYZE, BUFFERS) " + statement.CommandText);
            foreach (NpgsqlParameter parameter in statement.Parameters)
            {
                explain.Parameters.AddWithValue(parameter.ParameterName, parameter.Value!);
            }

            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                Console.WriteLine("    | " + reader.GetString(0));
            }
        }
    }
}
