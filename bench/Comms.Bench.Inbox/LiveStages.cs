using Npgsql;

namespace Comms.Bench.Inbox;

/// <summary>
/// Where a phase's time went on the server, from the rows themselves: the event stored by the API (<c>events.created_at</c>)
/// → routed by the dispatcher (<c>routed_at</c>) → its in-app item written (<c>inbox_items.created_at</c>). What follows
/// (the push through Redis and the Web to the client) is the rest of the client-side figure.
/// </summary>
internal static class LiveStages
{
    public static async Task PrintAsync(string connectionString, string tenant, string causePrefix)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            SELECT count(*),
                   percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM e.routed_at - e.created_at) * 1000),
                   percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM i.created_at - e.created_at) * 1000)
              FROM events e JOIN inbox_items i ON i.event_id = e.id
             WHERE e.tenant_id = @tenant AND e.cause_ref LIKE @prefix
            """);
        command.Parameters.AddWithValue("prefix", causePrefix + "%");
        command.Parameters.AddWithValue("tenant", tenant);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var routed = reader.GetFieldValue<double[]>(1);
        var stored = reader.GetFieldValue<double[]>(2);
        Console.WriteLine($"  on the server ({reader.GetInt64(0)} items): event stored → routed p50 {routed[0]:F1} ms (p99 {routed[1]:F1}), " +
                          $"→ item written p50 {stored[0]:F1} ms (p99 {stored[1]:F1}); the rest is the live push (Redis, Web, client)");
    }
}
