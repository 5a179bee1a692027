using System.Diagnostics;
using System.Net.Http.Headers;

namespace Comms.Bench.Inbox;

/// <summary>
/// <c>GET /me/notifications</c> (the first page) and <c>GET /me/notifications/count</c> over HTTP, each request as a
/// different random user with that user's token, at concurrency 1 and <c>--concurrency</c>, beside <c>GET /alive</c>
/// (no authentication, no database: the HTTP floor of the same API at the same concurrency).
/// </summary>
internal static class HttpReads
{
    public static async Task RunAsync(InboxBenchOptions options)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
        {
            BaseAddress = new Uri(options.Api), Timeout = TimeSpan.FromSeconds(60),
        };
        var tokens = Enumerable.Range(0, options.Requests + 200)
            .Select(_ => options.TokenFor(options.RandomUser())).ToArray();
        foreach (var concurrency in new[] { 1, options.Concurrency }.Distinct())
        {
            Console.WriteLine($"  concurrency {concurrency}, {options.Requests} requests each, a random user per request:");
            foreach (var (label, path, auth) in new[]
            {
                ("GET /me/notifications      ", "/me/notifications", true),
                ("GET /me/notifications/count", "/me/notifications/count", true),
                ("GET /alive (baseline)      ", "/alive", false),
            })
            {
                await MeasureAsync(http, path, auth ? tokens : null, 200, concurrency); // warm-up
                var (latencies, failed, seconds) = await MeasureAsync(http, path, auth ? tokens : null, options.Requests, concurrency);
                Console.WriteLine($"    {label}  {Stats.Summary(latencies)}, {latencies.Count / seconds:F0} req/s{(failed > 0 ? $", {failed} FAILED" : "")}");
            }
        }
    }

    private static async Task<(List<double> Latencies, int Failed, double Seconds)> MeasureAsync(
        HttpClient http, string path, string[]? tokens, int requests, int concurrency)
    {
        var latencies = new List<double>(requests);
        var failed = 0;
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (tokens is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[i % tokens.Length]);
                }

                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    if (response.IsSuccessStatusCode)
                    {
                        latencies.Add(elapsed);
                    }
                    else
                    {
                        failed++;
                    }
                }
            }
        })));
        return (latencies, failed, watch.Elapsed.TotalSeconds);
    }
}
