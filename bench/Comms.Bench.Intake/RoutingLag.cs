using Npgsql;

namespace Comms.Bench.Intake;

/// <summary>How long the dispatcher took to route the events of the run (created_at → routed_at), from the database.</summary>
internal sealed record RoutingLag(long Routed, long Pending, double P50Ms, double P99Ms)
{
    public static async Task<RoutingLag> MeasureAsync(string connectionString, DateTimeOffset from, DateTimeOffset to)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            SELECT count(*) FILTER (WHERE routed_at IS NOT NULL),
                   count(*) FILTER (WHERE routed_at IS NULL),
                   coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM routed_at - created_at) * 1000), 0),
                   coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM routed_at - created_at) * 1000), 0)
              FROM events WHERE created_at BETWEEN @from AND @to
            """);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new RoutingLag(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3));
    }

    public void Print() =>
        Console.WriteLine($"Routing (dispatcher, same run): {Routed} routed, {Pending} still pending at the end; queued→routed p50 {P50Ms:F0} ms, p99 {P99Ms:F0} ms");
}
