using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Comms.Bench.Broadcast;

/// <summary>
/// The broadcast itself, through the real API and dispatcher: an operator signs in, composes an email broadcast to the
/// tenant, test-sends it, sends it; the clock runs from the send until every event of the broadcast is routed (the
/// audience expanded into message rows by the dispatcher). The dispatcher's resident memory is sampled meanwhile.
/// </summary>
internal static class BroadcastExpansion
{
    public static async Task RunAsync(BroadcastBenchOptions options)
    {
        using var http = new HttpClient { BaseAddress = new Uri(options.Api), Timeout = TimeSpan.FromMinutes(5) };
        var signIn = await http.PostAsJsonAsync("/sys/auth/token", new { email = options.Email, password = options.Password });
        signIn.EnsureSuccessStatusCode();
        var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var draft = await http.PostAsJsonAsync("/sys/broadcasts", new
        {
            title = "Bench", audience = new { tenants = new[] { options.Tenant } }, channels = new[] { "email" },
            subject = "Maintenance on Sunday",
            // --shared-body: a body that reads nothing of the recipient (rendered once per event instead of per recipient).
            body = options.SharedBody ? "Hello, Comms is read-only on {{ \"Sunday\" }} 02:00-03:00 UTC." : "Hello {{ recipient.name }}, Comms is read-only on Sunday 02:00-03:00 UTC.",
        });
        draft.EnsureSuccessStatusCode();
        var id = (await draft.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await http.PostAsync($"/sys/broadcasts/{id}/test-send", null)).EnsureSuccessStatusCode();

        var memory = new List<long>();
        var clock = Stopwatch.StartNew();
        (await http.PostAsync($"/sys/broadcasts/{id}/send", null)).EnsureSuccessStatusCode();
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync();
        var events = await EventIdsAsync(connection, id);
        while (await PendingAsync(connection, events) > 0)
        {
            if (Rss(options.DispatcherPid) is { } rss)
            {
                memory.Add(rss);
            }

            await Task.Delay(250);
        }

        clock.Stop();
        long messages;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM messages WHERE event_id = ANY(@ids)", connection))
        {
            count.Parameters.AddWithValue("ids", events);
            messages = (long)(await count.ExecuteScalarAsync())!;
        }

        var rate = messages / clock.Elapsed.TotalSeconds;
        var rssText = memory.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture,
            $"{memory[0] / 1024:N0} → max {memory.Max() / 1024:N0} → last {memory[^1] / 1024:N0} MB ({memory.Count} samples)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| broadcast send → audience expanded into message rows (API + dispatcher){(options.SharedBody ? ", body without per-recipient variables" : "")} | {messages:N0} | {clock.Elapsed.TotalSeconds:F1} | **{rate:N0}** | {rssText} |"));
        await options.SaveAsync("broadcast", id.ToString());
        await options.SaveAsync("expansion", rate.ToString("F0", CultureInfo.InvariantCulture));
    }

    private static async Task<Guid[]> EventIdsAsync(NpgsqlConnection connection, Guid id)
    {
        await using var command = new NpgsqlCommand("SELECT event_ids FROM sys_broadcasts WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return (Guid[])(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> PendingAsync(NpgsqlConnection connection, Guid[] events)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM events WHERE id = ANY(@ids) AND status = 'pending'", connection);
        command.Parameters.AddWithValue("ids", events);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The resident set size of a process in KiB (Linux), or null.</summary>
    private static long? Rss(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/status"))
        {
            return null;
        }

        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
