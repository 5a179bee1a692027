using System.Diagnostics;
using Comms.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace Comms.ReliabilityTests.Faults;

/// <summary>
/// Redis frozen for 20 s (SIGSTOP), then killed and started empty, then PostgreSQL restarted — all while 2,000 events
/// go through a real API process and two real dispatcher processes, to the in-app inbox and (every fifth) email:
/// every message is delivered, no in-app item twice, and an email twice only if the SMTP server had accepted it in the
/// moment PostgreSQL went away (it could not be marked sent, and was sent again when its lease ran out): at most the
/// parallel sends in flight, with the same Message-Id.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class OutageTests(FaultServers servers, ITestOutputHelper output)
{
    private const int Events = 2_000;
    private const int Recipients = 100;
    private const int EmailEvery = 5; // 400 emails: MailDev takes about 200 a second
    private const int MaxParallelSends = 16; // Comms:Dispatcher:MaxParallelSends (the default)

    [Fact]
    public async Task Redis_and_PostgreSQL_outages_during_2000_events_lose_nothing_and_send_nothing_twice()
    {
        await using var api = await servers.StartApiAsync();
        var (tenant, client) = await FaultServers.CreateTenantAsync(api, "outage");
        var domain = $"{tenant}.test";
        await SeedAsync(client, domain);
        await using var first = servers.Dispatcher("dispatcher-a", DispatcherKillTests.Leases);
        await using var second = servers.Dispatcher("dispatcher-b", DispatcherKillTests.Leases);
        first.Start();
        second.Start();
        await Task.WhenAll(first.WaitAliveAsync(), second.WaitAliveAsync());

        var clock = Stopwatch.StartNew();
        var load = new EventLoad(client);
        var posting = load.PostAllAsync(Events, i => new
        {
            name = i % EmailEvery == 0 ? "fault.both" : "fault.inapp",
            recipients = new[] { $"r{i % Recipients:D3}" },
            causeRef = $"fault:{i}",
            category = "account",
            payload = new { n = i },
        }, spread: TimeSpan.FromSeconds(32), deadline: TimeSpan.FromSeconds(150));
        var timeline = await FaultsAsync(clock);
        await posting;
        var accepted = clock.Elapsed;

        // Delivered: every (recipient, event) has its inbox item, every fifth its email, and nothing is left in the queue.
        var expectedEmails = Events / EmailEvery;
        await Poll.UntilAsync(async () =>
            await servers.ScalarAsync("SELECT count(DISTINCT (recipient_id, event_id)) FROM inbox_items WHERE tenant_id = @t", tenant) >= Events
            && (await servers.MailsAsync(domain)).Select(m => (m.To, m.Subject)).Distinct().Count() >= expectedEmails
            && await servers.ScalarAsync("SELECT count(*) FROM messages WHERE tenant_id = @t AND status = 'queued'", tenant) == 0,
            "every message to be delivered after the outages", TimeSpan.FromSeconds(120));
        var delivered = clock.Elapsed;

        var inbox = await servers.ScalarAsync("SELECT count(*) FROM inbox_items WHERE tenant_id = @t", tenant);
        var inboxDistinct = await servers.ScalarAsync("SELECT count(DISTINCT (recipient_id, event_id)) FROM inbox_items WHERE tenant_id = @t", tenant);
        var failed = await servers.ScalarAsync("SELECT count(*) FROM messages WHERE tenant_id = @t AND status <> 'sent'", tenant);
        var reclaimed = await servers.ScalarAsync("SELECT count(*) FROM messages WHERE tenant_id = @t AND channel = 'email' AND attempts > 1", tenant);
        var mails = await servers.MailsAsync(domain);
        var mailsDistinct = mails.Select(m => (m.To, m.Subject)).Distinct().Count();
        ReliabilityFigures.Write(output, "Redis and PostgreSQL outages during 2,000 events",
        [
            $"Faults: {string.Join("; ", timeline)}",
            $"Events: {Events} accepted after {accepted.TotalSeconds:0.0} s (longest wait for one event's 202: {load.LongestAcceptance.TotalSeconds:0.0} s); API answers: {load.Describe()}",
            $"In-app: {inboxDistinct} of {Events} delivered, {inbox - inboxDistinct} twice; email: {mailsDistinct} of {expectedEmails} delivered, {mails.Count - mailsDistinct} twice ({reclaimed} emails were claimed again after their lease ran out)",
            $"Messages not sent: {failed}; all delivered {delivered.TotalSeconds:0.0} s after the start ({(delivered - accepted).TotalSeconds:0.0} s after the last event was accepted)",
            $"Dispatcher processes still running at the end: {(first.IsRunning ? 1 : 0) + (second.IsRunning ? 1 : 0)} of 2 (none restarted)",
        ]);

        Assert.Equal((Events, 0L), (inboxDistinct, inbox - inboxDistinct));
        Assert.Equal(expectedEmails, mailsDistinct);
        Assert.True(mails.Count - mailsDistinct <= MaxParallelSends, $"{mails.Count - mailsDistinct} emails twice: more than the {MaxParallelSends} sends in flight");
        Assert.All(mails, m => Assert.False(string.IsNullOrEmpty(m.MessageId)));
        Assert.All(mails.GroupBy(m => (m.To, m.Subject)), g => Assert.Single(g.Select(m => m.MessageId).Distinct()));
        Assert.Equal(0, failed);
        Assert.True(first.IsRunning && second.IsRunning, $"A dispatcher exited during the outages:\n{first.Output}\n{second.Output}");
    }

    /// <summary>Redis frozen 20 s, then killed and started again (empty); then PostgreSQL stopped for 3 s and started again.</summary>
    private async Task<List<string>> FaultsAsync(Stopwatch clock)
    {
        var timeline = new List<string>();
        void Mark(string what) => timeline.Add($"{clock.Elapsed.TotalSeconds:0.0} s {what}");

        await Task.Delay(TimeSpan.FromSeconds(2));
        servers.Redis.Pause();
        Mark("Redis frozen (SIGSTOP)");
        await Task.Delay(TimeSpan.FromSeconds(20));
        servers.Redis.Resume();
        servers.Redis.Kill();
        Mark("Redis resumed and killed");
        await servers.Redis.StartAsync();
        Mark("Redis started again (empty)");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await servers.Postgres.StopAsync();
        Mark("PostgreSQL stopped");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await servers.Postgres.StartAsync();
        servers.DataSource.Clear();
        Mark("PostgreSQL started again");
        return timeline;
    }

    private static async Task SeedAsync(HttpClient client, string domain)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, Recipients), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await FaultServers.SendAsync(client, HttpMethod.Put, $"/v1/recipients/r{i:D3}", new
            {
                name = $"Recipient {i}", email = $"r{i:D3}@{domain}", locale = "en-US", timeZone = "UTC", quietHours = new { enabled = false },
            }));
        var schema = new { type = "object", required = new[] { "n" }, properties = new { n = new { type = "integer" } } };
        foreach (var (channel, content) in new (string, object)[]
                 {
                     ("in_app", new { title = "Note {{ n }}", body = "Note **{{ n }}**" }),
                     ("email", new { subject = "Note {{ n }}", text = "Note {{ n }}" }),
                 })
        {
            await FaultServers.SendAsync(client, HttpMethod.Put, $"/v1/templates/fault.note/{channel}/en-US/draft", new { category = "account", content, variablesSchema = schema });
            await FaultServers.SendAsync(client, HttpMethod.Post, $"/v1/templates/fault.note/{channel}/en-US/publish", new { });
        }

        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/routing-rules/fault.inapp", new { templateName = "fault.note", category = "account", channels = new[] { "in_app" } });
        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/routing-rules/fault.both", new { templateName = "fault.note", category = "account", channels = new[] { "in_app", "email" } });
    }
}
