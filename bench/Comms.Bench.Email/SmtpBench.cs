using System.Diagnostics;
using System.Globalization;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Comms.Bench.Email;

/// <summary>
/// Email throughput through the dispatcher to an SMTP sink, against a bare MailKit loop with the same number of
/// connections to the same sink, in the same run (goal: the dispatcher at least 0.8 of the bare loop).
/// </summary>
internal static class SmtpBench
{
    public static async Task RunAsync(EmailBenchOptions options)
    {
        var count = options.Messages > 0 ? options.Messages : 20_000;
        var warm = options.WarmUp;
        var parallel = options.Parallel > 0 ? options.Parallel : options.Connections * 4;
        var sink = options.Sink ?? throw new ArgumentException("--sink HOST:PORT is required.");
        var (host, port) = (sink.Split(':')[0], int.Parse(sink.Split(':')[1], CultureInfo.InvariantCulture));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SMTP: {count:N0} emails (after {warm:N0} to warm up) to the sink at {sink} over {options.Connections} connections, {parallel} sends in parallel, claims of {options.BatchSize:N0}, {options.Loops} sending loop(s), {Environment.ProcessorCount} cores"));

        // PostgreSQL alone, no SMTP: the dispatcher's claim of 10,000 and its "sent" marks in statements of 64 (what the
        // group commit writes at once when 64 marks wait), one after the other: the least database work per email.
        await using (var baseline = await BenchWorld.StartAsync())
        {
            await baseline.QueueAsync(count, sameContent: false);
            var pg = await baseline.ClaimAndMarkAsync(options.BatchSize, markGroup: 64);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  PostgreSQL alone, claim {options.BatchSize:N0} + mark sent 64 a statement (no SMTP): {pg.Sent:N0} rows in {pg.Seconds:F2} s = {pg.Rate:N0} rows/s, PostgreSQL CPU {pg.PostgresCpuPerEmail * 1e6:F0} µs a row; load average {SendGridBench.LoadAverage()}"));
        }

        await using var world = await BenchWorld.StartAsync();
        await world.QueueAsync(warm + count, sameContent: false);
        world.SinkPid = options.SinkPid;

        // A bare run first warms the sink and this process's MailKit (the dispatcher warms up on its first emails).
        await BareLoopAsync(host, port, options.Connections, Math.Max(warm, 1));
        var cpu = CpuSeconds.OfSelf();
        var sinkCpu = options.SinkPid is { } sinkPid ? CpuSeconds.OfTree(sinkPid) : 0;
        var bare = await BareLoopAsync(host, port, options.Connections, count);
        cpu = CpuSeconds.OfSelf() - cpu;
        sinkCpu = options.SinkPid is { } pid ? CpuSeconds.OfTree(pid) - sinkCpu : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  bare MailKit loop: {count:N0} in {bare.TotalSeconds:F2} s = {count / bare.TotalSeconds:N0}/s; CPU per email: the loop's process {cpu / count * 1e6:F0} µs{(options.SinkPid is null ? "" : $", sink {sinkCpu / count * 1e6:F0} µs")}; load average {SendGridBench.LoadAverage()}"));

        world.StartDispatcher(options.Dispatcher!, new Dictionary<string, string>
        {
            ["ConnectionStrings:mail"] = $"smtp://{sink}",
            ["Comms:Email:MaxConnections"] = options.Connections.ToString(CultureInfo.InvariantCulture),
            ["Comms:Dispatcher:Channels:email:BatchSize"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["Comms:Dispatcher:Channels:email:Loops"] = options.Loops.ToString(CultureInfo.InvariantCulture),
            ["Comms:Dispatcher:MaxParallelSends"] = parallel.ToString(CultureInfo.InvariantCulture),
        });
        var drained = await world.WaitForAllAsync(warm + count, TimeSpan.FromMinutes(10), warm);
        Console.WriteLine($"  dispatcher (the {drained.Sent:N0} after the first {warm:N0}): {drained.Describe()}; load average {SendGridBench.LoadAverage()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ratio dispatcher / bare loop: {drained.Rate / (count / bare.TotalSeconds):F2} (steady part: {drained.SteadyRate / (count / bare.TotalSeconds):F2}; goal >= 0.8)"));
    }

    /// <summary>N emails like the dispatcher's (text + HTML, unsubscribe headers) over <paramref name="connections"/> connections.</summary>
    private static async Task<TimeSpan> BareLoopAsync(string host, int port, int connections, int count)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(host, port, SecureSocketOptions.None);
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var message = Compose(i);
                await client.SendAsync(message);
            }

            await client.DisconnectAsync(quit: true);
        }));
        return watch.Elapsed;
    }

    private static MimeMessage Compose(int i)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Comms", "no-reply@comms.local"));
        message.To.Add(MailboxAddress.Parse($"r{i}@bench.example"));
        message.Subject = "Your weekly summary";
        message.MessageId = $"{Guid.NewGuid():D}@bench.comms";
        message.Headers.Add("List-Unsubscribe", $"<https://comms.example/unsubscribe/r{i}>, <mailto:unsubscribe@comms.local?subject=unsubscribe%20r{i}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Body = new BodyBuilder
        {
            TextBody = $"Hello r{i}, your weekly summary is ready.",
            HtmlBody = $"<p>Hello r{i}, your <b>weekly summary</b> is ready.</p>",
        }.ToMessageBody();
        return message;
    }
}
