using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Comms.Bench.Recipients;

/// <summary>
/// Posts the recipients in calls of <c>--batch</c> items from <c>--concurrency</c> clients, through the real HTTP API,
/// and reports the sustained recipients/s and the latency of one call. Bodies are serialised before the clock starts,
/// so the client's own JSON work does not compete with the server for the two cores.
/// </summary>
internal static class HttpBulkLoad
{
    public static async Task RunAsync(BulkBenchOptions options)
    {
        var bodies = Enumerable.Range(0, (options.Recipients + options.Batch - 1) / options.Batch)
            .Select(b => Body(options, b * options.Batch, Math.Min(options.Batch, options.Recipients - b * options.Batch)))
            .ToList();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency }) { BaseAddress = new Uri(options.Api) };
        http.Timeout = TimeSpan.FromMinutes(5);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);

        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var latencies = new List<double>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < bodies.Count)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(bodies[index]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("/v1/recipients/bulk", content);
                var text = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"POST /v1/recipients/bulk answered {(int)response.StatusCode}: {text[..Math.Min(400, text.Length)]}");
                }

                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                using var answer = JsonDocument.Parse(text);
                lock (outcomes)
                {
                    latencies.Add(elapsed);
                    foreach (var outcome in new[] { "created", "updated", "unchanged", "invalid" })
                    {
                        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + answer.RootElement.GetProperty(outcome).GetInt32();
                    }
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        clock.Stop();

        latencies.Sort();
        var rate = options.Recipients / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {options.Label} | {options.Recipients:N0} | {bodies.Count:N0} × ≤{options.Batch:N0}, {options.Concurrency} clients | {clock.Elapsed.TotalSeconds:F2} | **{rate:N0}** | "
            + $"{Percentile(latencies, 50):F0} / {Percentile(latencies, 99):F0} ms | "
            + $"{string.Join(", ", outcomes.Where(o => o.Value > 0).Select(o => $"{o.Key} {o.Value:N0}"))} |"));
        await options.SaveAsync(rate);
    }

    private static byte[] Body(BulkBenchOptions options, int first, int count)
    {
        var json = new StringBuilder("{\"recipients\":[");
        for (var n = first; n < first + count; n++)
        {
            if (n > first)
            {
                json.Append(',');
            }

            json.Append(CultureInfo.InvariantCulture, $$"""
                {"externalId":"{{Rows.ExternalId(options.Prefix, n)}}","name":"{{Rows.Name(n)}}","email":"{{Rows.Email(n)}}","phone":"{{Rows.Phone(n)}}","locale":"{{Rows.Locale(n)}}","timeZone":"{{Rows.Zone(n)}}","roles":{{JsonSerializer.Serialize(Rows.Roles(n))}},"attributes":{{Rows.Attributes(n)}}}
                """);
        }

        return Encoding.UTF8.GetBytes(json.Append("]}").ToString());
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
