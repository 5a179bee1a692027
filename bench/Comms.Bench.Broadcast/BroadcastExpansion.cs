using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Bench.Email;
using Npgsql;

namespace Comms.Bench.Broadcast;

/// <summary>
/// The broadcast itself, through the real API and dispatcher: an operator signs in, composes an email broadcast to the
/// tenant, test-sends it, sends it; the clock runs from the send until every event of the broadcast is routed (the
/// audience expanded into message rows by the dispatcher). The dispatcher's resident memory and the CPU time of the
/// dispatcher and PostgreSQL are taken meanwhile. With <c>--warm-up N</c> an unmeasured broadcast to N recipients of
/// another tenant runs first, so the figure is the dispatcher's steady pace, not its tiered JIT's first compilations.
/// </summary>
internal static class BroadcastExpansion
{
    public const string WarmUpTenant = "bench-warm-up";

    public static async Task RunAsync(BroadcastBenchOptions options)
    {
        using var http = new HttpClient { BaseAddress = new Uri(options.Api), Timeout = TimeSpan.FromMinutes(5) };
        var signIn = await http.PostAsJsonAsync("/sys/auth/token", new { email = options.Email, password = options.Password });
        signIn.EnsureSuccessStatusCode();
        var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync();

        if (options.WarmUp > 0)
        {
            (await http.PostAsJsonAsync("/sys/tenants", new { id = WarmUpTenant, name = "Benchmark warm-up" })).EnsureSuccessStatusCode();
            await AudienceSeed.SeedAsync(options.Db, WarmUpTenant, options.WarmUp, "wu");
            var (_, warmUp, written) = await BroadcastAsync(http, connection, options, WarmUpTenant, sample: null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| warm-up, not measured: a broadcast to another tenant, the dispatcher's first (its JIT still compiling) | {written:N0} | {warmUp.TotalSeconds:F1} | {written / warmUp.TotalSeconds:N0} | – |"));
        }

        var memory = new List<long>();
        var cpuBefore = (Dispatcher: Cpu(options.DispatcherPid), Postgres: Cpu(options.PostgresPid));
        var (id, elapsed, messages) = await BroadcastAsync(http, connection, options, options.Tenant, sample: () =>
        {
            if (Rss(options.DispatcherPid) is { } rss)
            {
                memory.Add(rss);
            }
        });
        var cpu = (Dispatcher: Cpu(options.DispatcherPid) - cpuBefore.Dispatcher, Postgres: Cpu(options.PostgresPid) - cpuBefore.Postgres);

        var rate = messages / elapsed.TotalSeconds;
        var rssText = memory.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture,
            $"{memory[0] / 1024:N0} → max {memory.Max() / 1024:N0} → last {memory[^1] / 1024:N0} MB ({memory.Count} samples)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| broadcast send → audience expanded into message rows (API + dispatcher){(options.SharedBody ? ", body without per-recipient variables" : "")} | {messages:N0} | {elapsed.TotalSeconds:F1} | **{rate:N0}** | {rssText} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"|   CPU over the expansion: dispatcher {cpu.Dispatcher:F1} s ({cpu.Dispatcher * 1e6 / messages:F0} µs a message), PostgreSQL {cpu.Postgres:F1} s ({cpu.Postgres * 1e6 / messages:F0} µs a message) | | | | |"));
        await options.SaveAsync("broadcast", id.ToString());
        await options.SaveAsync("expansion", rate.ToString("F0", CultureInfo.InvariantCulture));
    }

    /// <summary>Composes, test-sends and sends an email broadcast to the tenant; waits until its events are routed.</summary>
    private static async Task<(Guid Id, TimeSpan Elapsed, long Messages)> BroadcastAsync(
        HttpClient http, NpgsqlConnection connection, BroadcastBenchOptions options, string tenant, Action? sample)
    {
        var draft = await http.PostAsJsonAsync("/sys/broadcasts", new
        {
            title = "Bench", audience = new { tenants = new[] { tenant } }, channels = new[] { "email" },
            subject = "Maintenance on Sunday",
            // --shared-body: a body that reads nothing of the recipient (rendered once per event instead of per recipient).
            body = options.SharedBody ? "Hello, Comms is read-only on {{ \"Sunday\" }} 02:00-03:00 UTC." : "Hello {{ recipient.name }}, Comms is read-only on Sunday 02:00-03:00 UTC.",
        });
        draft.EnsureSuccessStatusCode();
        var id = (await draft.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await http.PostAsync($"/sys/broadcasts/{id}/test-send", null)).EnsureSuccessStatusCode();

        // The clock runs from the send to the routed mark of the broadcast's last event (its last chunk's commit), both read from
        // this machine's clock: the 250-ms polls below only find that the expansion ended, and add nothing to the time.
        var sentAt = DateTime.UtcNow;
        (await http.PostAsync($"/sys/broadcasts/{id}/send", null)).EnsureSuccessStatusCode();
        var events = await EventIdsAsync(connection, id);
        while (await PendingAsync(connection, events) > 0)
        {
            sample?.Invoke();
            await Task.Delay(250);
        }

        await using var done = new NpgsqlCommand(
            "SELECT max(routed_at), (SELECT count(*) FROM messages WHERE event_id = ANY(@ids)) FROM events WHERE id = ANY(@ids)", connection);
        done.Parameters.AddWithValue("ids", events);
        await using var reader = await done.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (id, reader.GetFieldValue<DateTime>(0) - sentAt, reader.GetInt64(1));
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

    /// <summary>CPU seconds of a process and its children (PostgreSQL's backends are the postmaster's), or 0 without a pid.</summary>
    private static double Cpu(int? pid) => pid is { } p ? CpuSeconds.OfTree(p) : 0;

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
