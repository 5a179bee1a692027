using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Comms.Bench.Inbox;

/// <summary>
/// Event → item shown: N users each hold a SignalR connection to the Web's hub; events are posted open loop (on a
/// fixed schedule, whatever the answers do) at a steady rate, each to one random connected user, and each is timed
/// from its 202 (and from its request's start) to the moment its user's client receives <c>notificationReceived</c>
/// with the event's tag as the title. First a low rate (the baseline: the same path, unloaded), then the target rate.
/// </summary>
internal static class LiveLatency
{
    private sealed record Notification(string Title);

    public static async Task RunAsync(InboxBenchOptions options)
    {
        using var http = LiveSetup.ApiClient(options);
        var watch = Stopwatch.StartNew();
        await LiveSetup.RunAsync(http, options.Users);
        Console.WriteLine($"Set up {options.Users} recipients and the in-app-only event '{LiveSetup.EventName}' through the API in {watch.Elapsed.TotalSeconds:F0} s");

        var received = new ConcurrentDictionary<string, long>();
        var dropped = 0;
        watch.Restart();
        var connections = new ConcurrentBag<(HubConnection Connection, int User)>();
        await Parallel.ForAsync(1, options.Users + 1, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (n, ct) =>
        {
            var token = options.TokenFor(LiveSetup.UserId(n));
            var connection = new HubConnectionBuilder()
                .WithUrl(options.Web + "/hubs/notifications", o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                })
                .Build();
            connection.On<Notification>("notificationReceived", item => received.TryAdd(item.Title, Stopwatch.GetTimestamp()));
            connection.Closed += _ =>
            {
                Interlocked.Increment(ref dropped);
                return Task.CompletedTask;
            };
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await connection.StartAsync(ct);
                    connections.Add((connection, n));
                    return;
                }
                catch (Exception ex) when (attempt < 3 && ex is HttpRequestException or System.Net.WebSockets.WebSocketException or TimeoutException)
                {
                    await Task.Delay(500, ct);
                }
            }
        });
        var users = connections.Select(c => c.User).ToArray();
        Console.WriteLine($"Connected {users.Length} SignalR clients (WebSockets, one per user, one user token each) in {watch.Elapsed.TotalSeconds:F0} s");

        try
        {
            var runId = Guid.NewGuid().ToString("N")[..6];
            var baselineRate = Math.Max(1, options.Rate / 10);
            await PhaseAsync(http, users, received, $"{runId}w", baselineRate, 5); // warm-up: JIT and pools of every service on the path
            Console.WriteLine();
            Console.WriteLine($"Baseline: {baselineRate:F0} events/s for 20 s (the same path, lightly loaded, same connections)");
            (await PhaseAsync(http, users, received, $"{runId}b", baselineRate, 20)).Print();
            await StagesAsync(options, $"live:{runId}b-");
            Console.WriteLine();
            Console.WriteLine($"Target: {options.Rate:F0} events/s for {options.Seconds} s to {users.Length} connected clients");
            (await PhaseAsync(http, users, received, $"{runId}t", options.Rate, options.Seconds)).Print();
            await StagesAsync(options, $"live:{runId}t-");
            Console.WriteLine($"Connections closed during the run: {Volatile.Read(ref dropped)} of {users.Length}");
        }
        finally
        {
            await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.Connection.DisposeAsync());
        }
    }

    private static async Task StagesAsync(InboxBenchOptions options, string causePrefix)
    {
        if (options.Database is { } db)
        {
            await LiveStages.PrintAsync(db, options.Tenant, causePrefix);
        }
    }

    private static async Task<PhaseResult> PhaseAsync(HttpClient http, int[] users, ConcurrentDictionary<string, long> received, string runId, double rate, int seconds)
    {
        var count = (int)Math.Round(rate * seconds);
        var result = new PhaseResult(count, rate, received);
        var first = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var sends = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var due = first + (long)(i * Stopwatch.Frequency / rate);
            var wait = Stats.Ms(Stopwatch.GetTimestamp(), due);
            if (wait >= 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait));
            }

            result.Due[i] = due;
            result.Tags[i] = $"{runId}-{i}";
            sends[i] = SendAsync(http, result, i, LiveSetup.UserId(users[Random.Shared.Next(users.Length)]));
        }

        await Task.WhenAll(sends);
        // Wait for the stragglers: until every accepted event's item has arrived, or nothing new came for 15 s.
        var (seen, quietSince) = (-1, Stopwatch.GetTimestamp());
        while (result.Received() is var now && now < result.AcceptedCount && Stats.Ms(quietSince, Stopwatch.GetTimestamp()) < 15_000)
        {
            if (now != seen)
            {
                (seen, quietSince) = (now, Stopwatch.GetTimestamp());
            }

            await Task.Delay(100);
        }

        return result;
    }

    private static async Task SendAsync(HttpClient http, PhaseResult result, int i, string user)
    {
        var body = $$$"""{"name":"{{{LiveSetup.EventName}}}","recipients":["{{{user}}}"],"causeRef":"live:{{{result.Tags[i]}}}","category":"account","payload":{"tag":"{{{result.Tags[i]}}}"}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        result.Start[i] = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsync("/v1/events", content);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                result.Accepted[i] = Stopwatch.GetTimestamp();
            }
            else
            {
                result.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            result.Fail(ex.Message);
        }
    }
}
