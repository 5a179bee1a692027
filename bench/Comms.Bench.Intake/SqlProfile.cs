using System.Globalization;
using Npgsql;

namespace Comms.Bench.Intake;

/// <summary>
/// Where the database time goes per routed event, from <c>pg_stat_statements</c> (loaded by bench/run-intake.sh) and
/// <c>pg_stat_database</c>: <c>pgstats reset</c> before a drain, <c>pgstats report --events N</c> after it.
/// </summary>
internal static class SqlProfile
{
    /// <summary>The benchmark's own statements (its progress polls, this report) are left out of the figures.</summary>
    private const string NotBench = "query NOT LIKE 'SELECT (SELECT count(*) FROM events%' AND query NOT LIKE '%pg_stat%'";

    public static async Task ResetAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
            SELECT pg_stat_statements_reset();
            SELECT pg_stat_reset();
            """);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task ReportAsync(string connectionString, long events)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var perEvent = Math.Max(events, 1);
        await using (var totals = dataSource.CreateCommand($$"""
            SELECT (SELECT sum(calls) FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND {{NotBench}}),
                   (SELECT sum(rows) FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND {{NotBench}}),
                   (SELECT sum(total_exec_time) FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND {{NotBench}}),
                   (SELECT sum(wal_bytes) FROM pg_stat_statements WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND {{NotBench}}),
                   xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, blks_hit + blks_read
              FROM pg_stat_database WHERE datname = current_database()
            """))
        await using (var reader = await totals.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            double D(int i) => reader.IsDBNull(i) ? 0 : Convert.ToDouble(reader.GetValue(i), CultureInfo.InvariantCulture);
            Console.WriteLine($"  PostgreSQL per routed event ({events} events; the benchmark's own polls left out): {D(0) / perEvent:F3} top-level statements, {D(4) / perEvent:F3} commits, " +
                              $"{D(5) / perEvent:F3} rollbacks, rows returned/affected {D(1) / perEvent:F2}; tuples inserted {D(6) / perEvent:F2}, " +
                              $"updated {D(7) / perEvent:F2}, deleted {D(8) / perEvent:F2}; WAL {D(3) / perEvent:F0} bytes; " +
                              $"statement time {D(2) * 1000 / perEvent:F0} µs; buffer accesses {D(9) / perEvent:F1}");
        }

        await using var command = dataSource.CreateCommand($$"""
            SELECT calls, rows, total_exec_time, wal_bytes, regexp_replace(left(query, 400), '\s+', ' ', 'g')
              FROM pg_stat_statements
             WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND {{NotBench}}
             ORDER BY total_exec_time DESC LIMIT 16
            """);
        await using var rows = await command.ExecuteReaderAsync();
        Console.WriteLine("  statement (top 16 by time)                                                         calls/event  rows/event  µs/event  µs/call  WAL B/event");
        while (await rows.ReadAsync())
        {
            var calls = rows.GetInt64(0);
            var text = rows.GetString(4);
            text = text.Length > 80 ? text[..80] : text;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {text,-82} {calls / (double)perEvent,11:F4} {rows.GetInt64(1) / (double)perEvent,11:F3} {rows.GetDouble(2) * 1000 / perEvent,9:F1} {rows.GetDouble(2) * 1000 / Math.Max(calls, 1),8:F0} {Convert.ToDouble(rows.GetValue(3), CultureInfo.InvariantCulture) / perEvent,11:F0}"));
        }
    }
}
