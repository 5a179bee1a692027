using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Comms.Bench.Intake;

/// <summary>
/// What a user feels right after start: events posted one at a time to the seeded <c>demo.welcome</c> as bare HTTP, each
/// timed from the POST to its 202 and to its email arriving in MailDev (end to end: intake, routing, render, SMTP).
/// The first event is reported beside the median of the others.
/// </summary>
internal static partial class FirstEvent
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

        // The raw POST below, once against MailDev (not Comms): the generator's own first use of its sockets and parsing.
        _ = AcceptedId().Match((await PostRawAsync(new Uri(options.Mail), options.Key, EventBody("warm-up"))).Answer);

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
            // The 202, the email and the marks are all timed from just before the connect.
            var startedAt = DateTimeOffset.UtcNow;
            var watch = Stopwatch.StartNew();
            var (took, answer) = await PostRawAsync(new Uri(options.Api), options.Key, EventBody(name));
            var eventId = AcceptedId().Match(answer) is { Success: true } accepted202 ? accepted202.Groups[1].Value
                : throw new InvalidOperationException("POST /v1/events answered " + answer);
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

    private static string EventBody(string name) => JsonSerializer.Serialize(new
    {
        name = "demo.welcome", recipients = new[] { "alice" }, causeRef = "first:" + name, category = "account", payload = new { name },
    });

    /// <summary>
    /// The event posted as a bare HTTP/1.1 request over a socket of its own (<c>Connection: close</c>), as curl in the
    /// README's quick start does: the generator's HTTP client would add its own first request to a new host (about
    /// 6 ms of its JIT and connection pool) to Comms' figure, and starting curl as a process took 15–20 ms, varying.
    /// Returns the time from the connect to the server closing the connection after its answer, and the answer.
    /// </summary>
    private static async Task<(TimeSpan Took, string Answer)> PostRawAsync(Uri api, string key, string body)
    {
        var watch = Stopwatch.StartNew();
        using var client = new System.Net.Sockets.TcpClient { NoDelay = true };
        await client.ConnectAsync(api.Host, api.Port);
        await using var stream = client.GetStream();
        var content = System.Text.Encoding.UTF8.GetBytes(body);
        var head = System.Text.Encoding.ASCII.GetBytes(
            $"POST /v1/events HTTP/1.1\r\nHost: {api.Authority}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            + $"Content-Length: {content.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(head.Concat(content).ToArray());
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer);
        return (watch.Elapsed, System.Text.Encoding.UTF8.GetString(answer.ToArray()));
    }

    [System.Text.RegularExpressions.GeneratedRegex("^HTTP/1\\.1 202 .*\"id\":\"([0-9a-f-]{36})\"", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex AcceptedId();

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
