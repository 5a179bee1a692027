extern alias dispatcher;

using System.Diagnostics;
using System.Globalization;
using Comms.Core.Messages;
using dispatcher::Comms.Dispatcher.Email;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Comms.Bench.Email;

/// <summary>
/// SendGrid-shaped throughput against a fake admitting the account's 100 requests/s: the goal is 100 requests/s of
/// 1,000 recipients each. Measured twice: our SendGrid provider alone (claimed batches of 10,000 built and sent one
/// after another, as a sending loop does), and the whole dispatcher draining queued emails from PostgreSQL.
/// </summary>
internal static class SendGridBench
{
    private const string ApiKey = "SG.bench";

    public static async Task RunAsync(EmailBenchOptions options)
    {
        var count = options.Messages > 0 ? options.Messages : 300_000;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SendGrid: fake admitting {options.RequestsPerSecond} requests/s, claims of {options.BatchSize:N0}, {options.Loops} sending loop(s), {Environment.ProcessorCount} cores, load average {LoadAverage()}"));
        if (options.PostgresOnly)
        {
            await PostgresAloneAsync(count, options);
            return;
        }

        await using var fake = await SendGridFake.StartAsync(options.RequestsPerSecond);

        // The same provider, the same fake, one after the other: rounds one at a time (as before), then overlapping.
        foreach (var rounds in options.Rounds)
        {
            await ProviderAloneAsync(fake, options, rounds);
        }

        if (options.ProviderOnly)
        {
            return;
        }

        // PostgreSQL alone, no provider: the dispatcher's own claim and "sent" mark of 10,000-row batches as fast as they go
        // (the next claim made while the previous batch is marked), on a fresh server of its own. Nothing end to end can
        // go faster than this on the same cores.
        await PostgresAloneAsync(count, options);

        await using var world = await BenchWorld.StartAsync();
        await world.QueueAsync(count, sameContent: false);
        fake.Reset();
        world.StartDispatcher(options.Dispatcher!, new Dictionary<string, string>
        {
            ["ConnectionStrings:mail"] = "",
            ["Comms:Channels:Email:Provider"] = "sendgrid",
            ["Comms:Providers:SendGrid:ApiKey"] = ApiKey,
            ["Comms:Providers:SendGrid:BaseUrl"] = fake.Url,
            ["Comms:Providers:SendGrid:MaxParallelRequests"] = "16",
            ["Comms:Dispatcher:Channels:email:BatchSize"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["Comms:Dispatcher:Channels:email:Loops"] = options.Loops.ToString(CultureInfo.InvariantCulture),
        });
        var drained = await world.WaitForAllAsync(count, TimeSpan.FromMinutes(15));
        Console.WriteLine($"  dispatcher end to end ({count:N0} queued emails, each with content of its own): {drained.Describe()}; load average {LoadAverage()}");
        Console.WriteLine("    " + fake.Describe());
    }

    private static async Task PostgresAloneAsync(int count, EmailBenchOptions options)
    {
        await using var baseline = await BenchWorld.StartAsync();
        await baseline.QueueAsync(count, sameContent: false);
        var pg = await baseline.ClaimAndMarkAsync(options.BatchSize);
        Console.WriteLine($"  PostgreSQL alone, claim + mark sent of {options.BatchSize:N0}-row batches (no provider): {pg.Sent:N0} rows in {pg.Seconds:F2} s = {pg.Rate:N0} rows/s, PostgreSQL CPU {pg.PostgresCpuPerEmail * 1e6:F0} µs a row; load average {LoadAverage()}");
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>
    /// The provider as a sending loop drives it: claimed batches of 10,000, each sent by one call; with
    /// <paramref name="roundsInFlight"/> 2 the next batch's call starts while the previous one's last requests are in flight
    /// (the loop waits for the round before the previous one), as <c>Comms:Dispatcher:Channels:email:RoundsInFlight</c> does.
    /// </summary>
    private static async Task ProviderAloneAsync(SendGridFake fake, EmailBenchOptions options, int roundsInFlight)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(SendGridEmailProvider.HttpClientName, client => client.BaseAddress = new Uri(fake.Url));
        await using var provider = services.BuildServiceProvider();
        var sendGrid = new SendGridEmailProvider(provider.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new SendGridOptions { ApiKey = ApiKey, BaseUrl = fake.Url, MaxParallelRequests = 16 }),
            Options.Create(new EmailOptions()), TimeProvider.System, NullLogger<SendGridEmailProvider>.Instance);

        await sendGrid.SendAsync(Batch(0, 2_000), CancellationToken.None); // warm-up
        fake.Reset();
        // The next batch is made while the current one is sent (a sending loop's next claim is read from PostgreSQL
        // meanwhile): making 10,000 test messages is not the provider's time.
        var watch = Stopwatch.StartNew();
        long sent = 0, round = 1;
        var next = Task.Run(() => Batch(1, options.BatchSize));
        var inFlight = new Queue<Task<IReadOnlyList<dispatcher::Comms.Dispatcher.Sending.SendOutcome>>>();
        while (watch.Elapsed < TimeSpan.FromSeconds(options.Seconds))
        {
            var batch = await next;
            var nextRound = ++round;
            next = Task.Run(() => Batch(nextRound, options.BatchSize));
            inFlight.Enqueue(sendGrid.SendAsync(batch, CancellationToken.None));
            if (inFlight.Count >= roundsInFlight)
            {
                sent += (await inFlight.Dequeue()).Count(o => o is dispatcher::Comms.Dispatcher.Sending.SendOutcome.Sent);
            }
        }

        while (inFlight.Count > 0)
        {
            sent += (await inFlight.Dequeue()).Count(o => o is dispatcher::Comms.Dispatcher.Sending.SendOutcome.Sent);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  provider alone, {roundsInFlight} round(s) in flight: {sent:N0} emails in {watch.Elapsed.TotalSeconds:F1} s = {sent / watch.Elapsed.TotalSeconds:N0}/s; load average {LoadAverage()}"));
        Console.WriteLine("    " + fake.Describe());
    }

    /// <summary>A claimed batch: each email to its own address with content of its own (substitutions on the wire).</summary>
    private static List<ClaimedMessage> Batch(long round, int size) => [.. Enumerable.Range(0, size).Select(i => new ClaimedMessage(
        Guid.CreateVersion7(), BenchWorld.Tenant, null, Guid.NewGuid(), $"r{i}", Channel.Email, "news", "bench.weekly", 1, "en-US", $"bench:{round}:{i}",
        $"r{round}-{i}@bench.example", 1, null, null,
        new RenderedContent { Subject = "Your weekly summary", Text = $"Hello r{i}, your weekly summary is ready.", Html = $"<p>Hello r{i}, your <b>weekly summary</b> is ready.</p>" },
        UnsubscribeUrl: $"https://comms.example/unsubscribe/r{round}-{i}"))];
}
