using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;

namespace Comms.ReliabilityTests.Faults;

/// <summary>
/// Posts events at a steady pace through the API, as a product backend would: each with its own
/// <c>Idempotency-Key</c>, retried until it is accepted (202) whatever the API answers meanwhile — so that an
/// answer lost in an outage never turns into a lost or a doubled event. Counts every answer it got.
/// </summary>
public sealed class EventLoad(HttpClient client)
{
    public ConcurrentDictionary<string, int> Answers { get; } = new(StringComparer.Ordinal);

    /// <summary>The longest time one event took from its first attempt to its 202.</summary>
    public TimeSpan LongestAcceptance { get; private set; }

    public int Retries => Answers.Where(a => a.Key != "202").Sum(a => a.Value);

    public async Task PostAllAsync(int count, Func<int, object> body, TimeSpan spread, TimeSpan deadline, int parallelism = 8)
    {
        var started = Stopwatch.StartNew();
        var longest = TimeSpan.Zero;
        var gate = new Lock();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, _) =>
        {
            var due = spread * i / count;
            if (due > started.Elapsed)
            {
                await Task.Delay(due - started.Elapsed);
            }

            var first = started.Elapsed;
            for (var attempt = 0; ; attempt++)
            {
                if (started.Elapsed > deadline)
                {
                    throw new TimeoutException($"Event {i} was not accepted within {deadline.TotalSeconds:0} s; answers so far: {Describe()}");
                }

                var answer = await TryPostAsync(i, body(i));
                Answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
                if (answer == "202")
                {
                    lock (gate)
                    {
                        longest = started.Elapsed - first > longest ? started.Elapsed - first : longest;
                    }

                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * (attempt + 1))));
            }
        });
        LongestAcceptance = longest;
    }

    public string Describe() => string.Join(", ", Answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} x{a.Value}"));

    private async Task<string> TryPostAsync(int i, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", $"event-{i}");
        try
        {
            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
        catch (HttpRequestException)
        {
            return "connection error";
        }
    }
}
