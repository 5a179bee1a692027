using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace Comms.Bench.Intake;

/// <summary>
/// The sustained end-to-end measurement: an OPEN-LOOP generator posts events on a fixed schedule (event i at
/// start + i / rate, whatever the answers do — a slow system does not slow the offered load down), then the database
/// tells when each event's inbox item was written. Reports event → inbox item p50/p99 (from the scheduled send, and from
/// the event's stored time), how far behind the schedule the requests started, and whether the backlog grew: the
/// events still waiting, sampled every second.
/// </summary>
internal static class OpenLoad
{
    public static async Task RunAsync(BenchOptions options)
    {
        var rate = options.Rate;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 256,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        })
        { BaseAddress = new Uri(options.Api), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
        await using var dataSource = NpgsqlDataSource.Create(options.Database!);

        var runId = "open:" + Guid.NewGuid().ToString("N")[..8];
        var total = (int)(rate * options.Seconds);
        var scheduled = new DateTimeOffset[total];
        var lateMs = new double[total];
        long accepted = 0, failed = 0;
        string? firstError = null;
        var backlog = new List<(double At, long Pending, long Vacuums)>();
        var inFlight = new List<Task>(total);
        var sampling = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var (pending, vacuums) = await PendingAsync(dataSource);
                backlog.Add((clock.Elapsed.TotalSeconds, pending, vacuums));
                try
                {
                    await Task.Delay(1000, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var n = i;
            scheduled[n] = startedAt + due;
            lateMs[n] = (clock.Elapsed - due).TotalMilliseconds;
            inFlight.Add(PostAsync(n));
        }

        await Task.WhenAll(inFlight);
        var postedFor = clock.Elapsed.TotalSeconds;

        // After the schedule: how long until every event of the run has its inbox item (the backlog worked off).
        var drainClock = Stopwatch.StartNew();
        long missing;
        while ((missing = await MissingAsync(dataSource, runId, accepted)) > 0 && drainClock.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(250);
        }

        var drainedAfter = drainClock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;

        var (fromSchedule, fromStored, byWindow) = await LatenciesAsync(dataSource, runId, scheduled, rate);
        Array.Sort(lateMs);
        var late = lateMs.ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Open loop at {rate:F0} events/s for {options.Seconds} s: {accepted} accepted, {failed} failed; requests started p50 {Percentiles.Of(late, 50):F1} ms / p99 {Percentiles.Of(late, 99):F1} ms behind the schedule (posting took {postedFor:F1} s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  event → inbox item, from the scheduled send: p50 {Percentiles.Of(fromSchedule, 50):F0} ms, p90 {Percentiles.Of(fromSchedule, 90):F0} ms, p99 {Percentiles.Of(fromSchedule, 99):F0} ms, max {fromSchedule.LastOrDefault():F0} ms ({fromSchedule.Count} items)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  event stored → inbox item: p50 {Percentiles.Of(fromStored, 50):F0} ms, p99 {Percentiles.Of(fromStored, 99):F0} ms"));
        var samples = backlog.Where(b => b.At <= postedFor).ToList();
        var firstHalf = samples.Where(b => b.At < postedFor / 2).Select(b => b.Pending).DefaultIfEmpty(0).Max();
        var secondHalf = samples.Where(b => b.At >= postedFor / 2).Select(b => b.Pending).DefaultIfEmpty(0).Max();
        var grows = secondHalf > Math.Max(firstHalf * 1.5, rate * 0.5);
        var end = missing > 0
            ? FormattableString.Invariant($"{missing} items still missing 120 s after the schedule")
            : FormattableString.Invariant($"every item written {drainedAfter:F1} s after the schedule ended");
        Console.WriteLine(FormattableString.Invariant(
            $"  backlog (events not yet routed, sampled each second): max {firstHalf} in the first half, {secondHalf} in the second; at the end {samples.LastOrDefault().Pending}; {end}") +
            (grows ? " — the backlog GROWS: not sustainable" : " — the backlog does not grow"));
        // The shape over time, so that a p99 is not read without it: per 10 s of the schedule, the p99 of the events sent then,
        // the largest backlog, and how many autovacuum workers PostgreSQL ran meanwhile (its own work on the same cores).
        Console.WriteLine("  per 10 s of the schedule (p99 event → inbox item / max backlog / autovacuum workers seen): " + string.Join("; ",
            byWindow.Select((w, i) => FormattableString.Invariant(
                $"{i * 10}-{i * 10 + 10} s {Percentiles.Of(w, 99):F0} ms / {samples.Where(b => b.At >= i * 10 && b.At < i * 10 + 10).Select(b => b.Pending).DefaultIfEmpty(0).Max()} / {samples.Where(b => b.At >= i * 10 && b.At < i * 10 + 10).Select(b => b.Vacuums).DefaultIfEmpty(0).Max()}"))));
        if (firstError is not null)
        {
            Console.WriteLine($"  first error: {firstError}");
        }

        async Task PostAsync(int n)
        {
            var body = $$$"""{"name":"{{{options.EventName}}}","recipients":["{{{options.RecipientOf(n)}}}"],"causeRef":"{{{runId}}}:{{{n}}}","category":"account","payload":{"name":"Bench {{{n}}}"}}""";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            try
            {
                using var response = await http.PostAsync("/v1/events", content);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, ex.Message, null);
            }
        }
    }

    private static async Task<(long Pending, long Vacuums)> PendingAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM events WHERE status = 'pending'), (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker')");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<long> MissingAsync(NpgsqlDataSource dataSource, string runId, long accepted)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT count(*) FROM inbox_items i JOIN events e ON e.id = i.event_id
             WHERE e.cause_ref LIKE @prefix AND i.created_at > now() - interval '1 hour'
            """);
        command.Parameters.AddWithValue("prefix", runId + ":%");
        return accepted - (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Per event of the run: inbox item time − scheduled send, and − the event's stored time (ms, sorted); and the first of
    /// them per 10 s of the schedule (sorted).
    /// </summary>
    private static async Task<(List<double> FromSchedule, List<double> FromStored, List<List<double>> ByWindow)> LatenciesAsync(
        NpgsqlDataSource dataSource, string runId, DateTimeOffset[] scheduled, double rate)
    {
        var byWindow = Enumerable.Range(0, (int)Math.Ceiling(scheduled.Length / rate / 10)).Select(_ => new List<double>()).ToList();
        await using var command = dataSource.CreateCommand("""
            SELECT split_part(e.cause_ref, ':', 3)::int, i.created_at, e.created_at
              FROM events e JOIN inbox_items i ON i.event_id = e.id
             WHERE e.cause_ref LIKE @prefix AND i.created_at > now() - interval '1 hour'
            """);
        command.Parameters.AddWithValue("prefix", runId + ":%");
        var fromSchedule = new List<double>(scheduled.Length);
        var fromStored = new List<double>(scheduled.Length);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var item = reader.GetFieldValue<DateTimeOffset>(1);
            var n = reader.GetInt32(0);
            fromSchedule.Add((item - scheduled[n]).TotalMilliseconds);
            byWindow[Math.Min((int)(n / rate / 10), byWindow.Count - 1)].Add((item - scheduled[n]).TotalMilliseconds);
            fromStored.Add((item - reader.GetFieldValue<DateTimeOffset>(2)).TotalMilliseconds);
        }

        fromSchedule.Sort();
        fromStored.Sort();
        byWindow.ForEach(w => w.Sort());
        return (fromSchedule, fromStored, byWindow);
    }
}
