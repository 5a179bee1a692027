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
        var sink = options.Sink ?? throw new ArgumentException("--sink HOST:PORT is required.");
        var (host, port) = (sink.Split(':')[0], int.Parse(sink.Split(':')[1], CultureInfo.InvariantCulture));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SMTP: {count:N0} emails to the sink at {sink} over {options.Connections} connections, claims of {options.BatchSize:N0}, {options.Loops} sending loop(s), {Environment.ProcessorCount} cores"));

        await using var world = await BenchWorld.StartAsync();
        await world.QueueAsync(count, sameContent: false);

        // A short bare run first warms the sink and this process's MailKit (the dispatcher warms itself up).
        await BareLoopAsync(host, port, options.Connections, Math.Min(count, 2_000));
        var bare = await BareLoopAsync(host, port, options.Connections, count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  bare MailKit loop: {count:N0} in {bare.TotalSeconds:F2} s = {count / bare.TotalSeconds:N0}/s"));

        world.StartDispatcher(options.Dispatcher!, new Dictionary<string, string>
        {
            ["ConnectionStrings:mail"] = $"smtp://{sink}",
            ["Comms:Email:MaxConnections"] = options.Connections.ToString(CultureInfo.InvariantCulture),
            ["Comms:Dispatcher:Channels:email:BatchSize"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["Comms:Dispatcher:Channels:email:Loops"] = options.Loops.ToString(CultureInfo.InvariantCulture),
            ["Comms:Dispatcher:MaxParallelSends"] = (options.Connections * 4).ToString(CultureInfo.InvariantCulture),
        });
        var drained = await world.WaitForAllAsync(count, TimeSpan.FromMinutes(10));
        Console.WriteLine($"  dispatcher:        {drained.Describe()}");
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
