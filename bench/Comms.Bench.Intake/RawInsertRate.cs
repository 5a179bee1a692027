using System.Diagnostics;
using Npgsql;

namespace Comms.Bench.Intake;

/// <summary>
/// The baseline: how fast this PostgreSQL takes rows shaped like <c>events</c> with the same
/// concurrency, one INSERT + COMMIT per row (what a naive API does) — into a scratch table.
/// </summary>
internal sealed record RawInsertRate(int Concurrency, double RowsPerSecond, double P99Ms)
{
    public static async Task<RawInsertRate> MeasureAsync(string connectionString, int concurrency, TimeSpan duration)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var setup = dataSource.CreateCommand(
            "DROP TABLE IF EXISTS bench_raw_events; CREATE UNLOGGED TABLE bench_raw_events (LIKE events INCLUDING DEFAULTS); ALTER TABLE bench_raw_events SET LOGGED;"))
        {
            await setup.ExecuteNonQueryAsync();
        }

        long rows = 0;
        var latencies = new List<double>[concurrency];
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            latencies[worker] = [];
            await using var connection = await dataSource.OpenConnectionAsync();
            while (deadline.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await using var command = new NpgsqlCommand("""
                    INSERT INTO bench_raw_events (id, tenant_id, name, category, priority, cause_ref, payload, recipients, due_at, status, attempts, created_at)
                    VALUES (gen_random_uuid(), 'demo', 'demo.welcome', 'account', 'normal', 'raw', '{"name":"Bench"}', '{alice}', now(), 'pending', 0, now())
                    """, connection);
                await command.ExecuteNonQueryAsync();
                latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref rows);
            }
        }));
        var seconds = deadline.Elapsed.TotalSeconds;

        await using (var cleanup = dataSource.CreateCommand("DROP TABLE IF EXISTS bench_raw_events"))
        {
            await cleanup.ExecuteNonQueryAsync();
        }

        var all = latencies.SelectMany(l => l).ToList();
        all.Sort();
        return new RawInsertRate(concurrency, rows / seconds, Percentiles.Of(all, 99));
    }

    public void Print() =>
        Console.WriteLine($"Raw PostgreSQL baseline (one INSERT+COMMIT per row, {Concurrency} connections): {RowsPerSecond:F0} rows/s, p99 {P99Ms:F1} ms");
}
