using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Comms.Bench.Intake;

/// <summary>A closed-loop load: N workers each post events back to back; latency is the time to the 202.</summary>
internal sealed record IntakeLoad(long Accepted, long Failed, double Seconds, List<double> LatenciesMs, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string? FirstError)
{
    public static async Task<IntakeLoad> RunAsync(BenchOptions options)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Concurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        })
        { BaseAddress = new Uri(options.Api), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);

        var measuring = false;
        var stop = false;
        long accepted = 0, failed = 0, sequence = 0;
        string? firstError = null;
        var perWorker = Enumerable.Range(0, options.Concurrency).Select(_ => new List<double>(100_000)).ToArray();
        var runId = Guid.NewGuid().ToString("N")[..8];

        var workers = Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
        {
            var latencies = perWorker[worker];
            while (!Volatile.Read(ref stop))
            {
                var n = Interlocked.Increment(ref sequence);
                var body = $$$"""{"name":"{{{options.EventName}}}","recipients":["{{{options.RecipientOf(n)}}}"],"causeRef":"bench:{{{runId}}}:{{{n}}}","category":"account","payload":{"name":"Bench {{{n}}}"}}""";
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync("/v1/events", content);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        if (Volatile.Read(ref measuring))
                        {
                            Interlocked.Increment(ref accepted);
                            latencies.Add(elapsed);
                        }
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
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(options.Warmup));
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        Volatile.Write(ref measuring, false);
        var seconds = clock.Elapsed.TotalSeconds;
        var endedAt = DateTimeOffset.UtcNow;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);

        var all = perWorker.SelectMany(l => l).ToList();
        all.Sort();
        return new IntakeLoad(accepted, failed, seconds, all, startedAt, endedAt, firstError);
    }

    public void Print()
    {
        Console.WriteLine($"POST /v1/events: {Accepted / Seconds:F0} events/s sustained ({Accepted} accepted, {Failed} failed in {Seconds:F1} s)");
        Console.WriteLine($"  event→queued (202, event stored durably): p50 {Percentiles.Of(LatenciesMs, 50):F1} ms, p90 {Percentiles.Of(LatenciesMs, 90):F1} ms, " +
                          $"p99 {Percentiles.Of(LatenciesMs, 99):F1} ms, max {LatenciesMs.LastOrDefault():F1} ms");
        if (FirstError is not null)
        {
            Console.WriteLine($"  first error: {FirstError}");
        }
    }
}
