using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Comms.Bench.Intake;

/// <summary>
/// What a user feels right after start: events posted one at a time to the seeded <c>demo.welcome</c> with curl, each
/// timed from the POST to its 202 and to its email arriving in MailDev (end to end: intake, routing, render, SMTP).
/// The first event is reported beside the median of the others.
/// </summary>
internal static class FirstEvent
{
    public static async Task RunAsync(BenchOptions options, int events = 10)
    {
        using var api = new HttpClient { BaseAddress = new Uri(options.Api) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", options.Key);
        // Every event on a connection of its own, as curl or a client's first call: the first event would otherwise be the
        // only one to pay for the TCP connection and Kestrel's, and the comparison would measure connection reuse.
        api.DefaultRequestHeaders.ConnectionClose = true;
        using var mail = new HttpClient { BaseAddress = new Uri(options.Mail ?? throw new InvalidOperationException("--mail URL is required")) };
        // The load generator's own first request (its HTTP stack and JSON being JIT-compiled) is not Comms' latency:
        // warm this process against MailDev and an in-memory serialization, never against the API being measured.
        await mail.GetFromJsonAsync<JsonElement>("/api/email");
        using (await mail.PostAsJsonAsync("/api/no-such-endpoint", new { name = "", recipients = new[] { "" }, causeRef = "", category = "", payload = new { name = "" } }))
        {
        }
        // MailDev's own first message is slow too (its Node.js SMTP parser is cold): that is MailDev, not Comms, and a
        // real relay is not cold, so one email is sent to it straight over SMTP first (BENCH_MAIL_SMTP=host:port).
        if (Environment.GetEnvironmentVariable("BENCH_MAIL_SMTP") is { Length: > 0 } smtp)
        {
            await WarmMailDevAsync(smtp);
        }

        // BENCH_PACE_MS: a pause after each event (once its email is marked sent) before the next, as a person trying the API
        // leaves one; 0 (the default) posts them back to back, while the generator's MailDev polls keep the machine busy.
        var pace = int.TryParse(Environment.GetEnvironmentVariable("BENCH_PACE_MS"), out var ms) ? ms : 0;
        var accepted = new List<double>();
        var delivered = new List<double>();
        var routed = new List<double>();
        var sent = new List<double>();
        for (var i = 0; i < events; i++)
        {
            var name = $"First {Guid.NewGuid():N}"[..14];
            // Timed from just before curl is started (its own start, a few ms, is counted in the email's and the marks' times,
            // never left out); the 202 is curl's own time_total.
            var startedAt = DateTimeOffset.UtcNow;
            var watch = Stopwatch.StartNew();
            var (took, eventId) = await PostWithCurlAsync(options, name);
            accepted.Add(took.TotalMilliseconds);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var emails = await mail.GetFromJsonAsync<JsonElement>("/api/email");
                if (emails.EnumerateArray().Any(e => e.GetProperty("subject").GetString() == $"Welcome to Comms, {name}!"))
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"event {i + 1}: no email within 60 s");
                }

                await Task.Delay(5);
            }

            delivered.Add(watch.Elapsed.TotalMilliseconds);

            // Where the time went, from the messages API (same machine, same clock): routed = the email message's row
            // made, marked sent = the sent mark committed after the SMTP transaction (group-committed just behind it).
            JsonElement message;
            while (true) // the sent mark is group-committed just behind the send: wait for it (it holds the send's time)
            {
                var page = await api.GetFromJsonAsync<JsonElement>($"/v1/messages?event={eventId}&channel=email");
                message = page.GetProperty("items")[0];
                if (message.GetProperty("sentAt").ValueKind == JsonValueKind.String)
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"event {i + 1}: not marked sent within 60 s");
                }

                await Task.Delay(5);
            }

            routed.Add((message.GetProperty("createdAt").GetDateTimeOffset() - startedAt).TotalMilliseconds);
            sent.Add((message.GetProperty("sentAt").GetDateTimeOffset() - startedAt).TotalMilliseconds);
            await Task.Delay(pace);
        }

        static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
        Console.WriteLine($"  each event: 202 / email in MailDev / routed / marked sent, ms: {string.Join("  ", Enumerable.Range(0, events).Select(i => $"{accepted[i]:0}/{delivered[i]:0}/{routed[i]:0}/{sent[i]:0}"))}");
        Console.WriteLine($"First event: 202 after {accepted[0]:0} ms, email in MailDev after {delivered[0]:0} ms");
        Console.WriteLine($"Events 2-{events} (median): 202 after {Median(accepted.Skip(1)):0} ms, email after {Median(delivered.Skip(1)):0} ms");
        Console.WriteLine($"  where the time went — first: routed after {routed[0]:0} ms, marked sent after {sent[0]:0} ms; "
            + $"events 2-{events} (median): routed after {Median(routed.Skip(1)):0} ms, marked sent after {Median(sent.Skip(1)):0} ms");
    }

    /// <summary>
    /// The event posted by curl, as the README's quick start does — a native client, so that the generator's own first
    /// request (its HTTP stack's first connection to a new host, which cost it about 6 ms) is not counted as Comms' — on a
    /// connection of its own. Returns curl's <c>time_total</c> (from its connect to the answer) and the event id.
    /// </summary>
    private static async Task<(TimeSpan Took, string EventId)> PostWithCurlAsync(BenchOptions options, string name)
    {
        var body = JsonSerializer.Serialize(new
        {
            name = "demo.welcome", recipients = new[] { "alice" }, causeRef = "first:" + name, category = "account", payload = new { name },
        });
        var curl = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-sS", "-X", "POST", options.Api + "/v1/events", "-H", "Authorization: Bearer " + options.Key, "-H", "Content-Type: application/json",
            "-d", body, "-w", "\n%{http_code} %{time_total}",
        })
        {
            curl.ArgumentList.Add(argument);
        }

        using var process = Process.Start(curl) ?? throw new InvalidOperationException("curl could not be started");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var lines = output.TrimEnd().Split('\n');
        var status = lines[^1].Split(' ');
        if (process.ExitCode != 0 || status[0] != "202")
        {
            throw new InvalidOperationException($"POST /v1/events answered {output} {await process.StandardError.ReadToEndAsync()}");
        }

        var took = TimeSpan.FromSeconds(double.Parse(status[1], System.Globalization.CultureInfo.InvariantCulture));
        var id = JsonDocument.Parse(string.Join('\n', lines[..^1])).RootElement.GetProperty("id").GetString()!;
        return (took, id);
    }

    /// <summary>One email by a raw SMTP conversation (the bench has no mail library), read line by line.</summary>
    private static async Task WarmMailDevAsync(string hostAndPort)
    {
        var (host, port) = (hostAndPort[..hostAndPort.LastIndexOf(':')], int.Parse(hostAndPort[(hostAndPort.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(host, port);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        await using var writer = new StreamWriter(stream, System.Text.Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        async Task ReplyAsync()
        {
            string? line;
            do
            {
                line = await reader.ReadLineAsync() ?? throw new IOException("MailDev closed the connection");
            }
            while (line.Length > 3 && line[3] == '-');
        }

        await ReplyAsync();
        foreach (var command in new[] { "EHLO bench", "MAIL FROM:<bench@example.test>", "RCPT TO:<warm-up@example.test>", "DATA" })
        {
            await writer.WriteLineAsync(command);
            await ReplyAsync();
        }

        await writer.WriteLineAsync("Subject: bench warm-up\r\nFrom: bench@example.test\r\nTo: warm-up@example.test\r\n\r\nWarm-up of MailDev.\r\n.");
        await ReplyAsync();
        await writer.WriteLineAsync("QUIT");
    }
}
