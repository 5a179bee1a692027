using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Comms.Bench.Broadcast;

/// <summary>
/// The floor: the very rows the expansion wrote (its messages, their renders and their routing decisions — and, timed
/// apart, their idempotency keys in <c>message_keys</c>, which the expansion writes too), exported and written again by
/// bare binary COPY, one connection, into twin tables made with <c>LIKE … INCLUDING ALL</c> (same columns, defaults and
/// indexes; no foreign keys, no partitions) — no routing, no rendering, no checks.
/// </summary>
internal static class CopyBaseline
{
    private static readonly (string Table, string Select)[] Tables =
    [
        ("messages", "SELECT m.* FROM messages m WHERE m.event_id = ANY(@ids)"),
        ("message_renders", "SELECT r.* FROM message_renders r JOIN messages m ON m.id = r.message_id WHERE m.event_id = ANY(@ids)"),
        ("decisions", "SELECT d.* FROM decisions d WHERE d.event_id = ANY(@ids)"),
        ("message_keys", "SELECT k.* FROM message_keys k JOIN messages m ON m.id = k.message_id WHERE m.event_id = ANY(@ids)"),
    ];

    public static async Task RunAsync(BroadcastBenchOptions options)
    {
        var broadcast = options.Broadcast ?? throw new InvalidOperationException("--broadcast ID is required");
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync();
        Guid[] events;
        await using (var command = new NpgsqlCommand("SELECT event_ids FROM sys_broadcasts WHERE id = @id", connection))
        {
            command.Parameters.AddWithValue("id", broadcast);
            events = (Guid[])(await command.ExecuteScalarAsync())!;
        }

        var files = new List<(string Twin, string File)>();
        foreach (var (table, select) in Tables)
        {
            var twin = "bench_copy_" + table;
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {twin}; CREATE TABLE {twin} (LIKE {table} INCLUDING ALL EXCLUDING IDENTITY)");
            var file = Path.Combine(Path.GetTempPath(), $"{twin}-{Environment.ProcessId}.bin");
            var literal = "'{" + string.Join(',', events) + "}'::uuid[]";
            await using (var output = File.Create(file))
            await using (var export = await connection.BeginRawBinaryCopyAsync($"COPY ({select.Replace("@ids", literal, StringComparison.Ordinal)}) TO STDOUT (FORMAT BINARY)"))
            {
                await export.CopyToAsync(output);
            }

            files.Add((twin, file));
        }

        long messages;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM messages WHERE event_id = ANY(@ids)", connection))
        {
            count.Parameters.AddWithValue("ids", events);
            messages = (long)(await count.ExecuteScalarAsync())!;
        }

        var clock = Stopwatch.StartNew();
        var keys = TimeSpan.Zero;
        foreach (var (twin, file) in files)
        {
            var started = clock.Elapsed;
            await using (var input = File.OpenRead(file))
            await using (var import = await connection.BeginRawBinaryCopyAsync($"COPY {twin} FROM STDIN (FORMAT BINARY)"))
            {
                await input.CopyToAsync(import);
            }

            if (twin == "bench_copy_message_keys")
            {
                keys = clock.Elapsed - started;
            }
        }

        clock.Stop();
        foreach (var (twin, file) in files)
        {
            File.Delete(file);
            await ExecuteAsync(connection, $"DROP TABLE {twin}");
        }

        var withoutKeys = clock.Elapsed - keys;
        var rate = messages / withoutKeys.TotalSeconds;
        var all = messages / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| bare binary COPY of the same rows (messages + renders + decisions, one connection) | {messages:N0} | {withoutKeys.TotalSeconds:F1} | **{rate:N0}** | – |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| … and their idempotency keys (message_keys), as the expansion writes them | {messages:N0} | {clock.Elapsed.TotalSeconds:F1} | **{all:N0}** | – |"));
        await options.SaveAsync("copy", rate.ToString("F0", CultureInfo.InvariantCulture));
        await options.SaveAsync("copyall", all.ToString("F0", CultureInfo.InvariantCulture));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
