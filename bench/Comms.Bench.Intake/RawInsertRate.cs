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

        var batched = await BatchedAsync(dataSource, concurrency: 4, rowsPerStatement: 100, duration);
        var copy = await CopyAsync(dataSource, rows: 200_000);
        await using (var cleanup = dataSource.CreateCommand("DROP TABLE IF EXISTS bench_raw_events"))
        {
            await cleanup.ExecuteNonQueryAsync();
        }

        var all = latencies.SelectMany(l => l).ToList();
        all.Sort();
        return new RawInsertRate(concurrency, rows / seconds, Percentiles.Of(all, 99)) { BatchedRowsPerSecond = batched, CopyRowsPerSecond = copy };
    }

    /// <summary>Multi-row INSERTs (<paramref name="rowsPerStatement"/> rows over unnest, each its own transaction), a few connections.</summary>
    private static async Task<double> BatchedAsync(NpgsqlDataSource dataSource, int concurrency, int rowsPerStatement, TimeSpan duration)
    {
        long rows = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            while (clock.Elapsed < duration)
            {
                await using var command = new NpgsqlCommand("""
                    INSERT INTO bench_raw_events (id, tenant_id, name, category, priority, cause_ref, payload, recipients, due_at, status, attempts, created_at)
                    SELECT gen_random_uuid(), 'demo', 'demo.welcome', 'account', 'normal', 'raw', '{"name":"Bench"}', '{alice}', now(), 'pending', 0, now()
                      FROM generate_series(1, @n)
                    """, connection);
                command.Parameters.AddWithValue("n", rowsPerStatement);
                await command.ExecuteNonQueryAsync();
                Interlocked.Add(ref rows, rowsPerStatement);
            }
        }));
        return rows / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Binary COPY of <paramref name="rows"/> rows on one connection (the floor of what the table takes).</summary>
    private static async Task<double> CopyAsync(NpgsqlDataSource dataSource, int rows)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var clock = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY bench_raw_events (id, tenant_id, name, category, priority, cause_ref, payload, recipients, due_at, status, attempts, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            var now = DateTime.UtcNow;
            for (var i = 0; i < rows; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.NewGuid(), NpgsqlTypes.NpgsqlDbType.Uuid);
                await writer.WriteAsync("demo", NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync("demo.welcome", NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync("account", NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync("normal", NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync("raw", NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync("{\"name\":\"Bench\"}", NpgsqlTypes.NpgsqlDbType.Jsonb);
                await writer.WriteAsync(new[] { "alice" }, NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync(now, NpgsqlTypes.NpgsqlDbType.TimestampTz);
                await writer.WriteAsync("pending", NpgsqlTypes.NpgsqlDbType.Text);
                await writer.WriteAsync(0, NpgsqlTypes.NpgsqlDbType.Integer);
                await writer.WriteAsync(now, NpgsqlTypes.NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        return rows / clock.Elapsed.TotalSeconds;
    }

    public double BatchedRowsPerSecond { get; init; }

    public double CopyRowsPerSecond { get; init; }

    public void Print()
    {
        Console.WriteLine($"Raw PostgreSQL baseline (one INSERT+COMMIT per row, {Concurrency} connections): {RowsPerSecond:F0} rows/s, p99 {P99Ms:F1} ms");
        Console.WriteLine($"Raw PostgreSQL, batched INSERT (100 rows a statement and commit, 4 connections): {BatchedRowsPerSecond:F0} rows/s = {BatchedRowsPerSecond / RowsPerSecond:F1} × single-row");
        Console.WriteLine($"Raw PostgreSQL, binary COPY (200,000 rows, one connection): {CopyRowsPerSecond:F0} rows/s = {CopyRowsPerSecond / RowsPerSecond:F1} × single-row");
        Console.WriteLine($"RAW {RowsPerSecond:F0} {BatchedRowsPerSecond:F0} {CopyRowsPerSecond:F0}");
    }
}
