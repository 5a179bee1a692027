using System.Diagnostics;
using Comms.Core.Recipients;
using Comms.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace Comms.ReliabilityTests.Faults;

/// <summary>
/// <c>kill -9</c> of a dispatcher process again and again (one of two replicas crash-loops: killed each time another
/// tenth of the audience is reached, 8 times, and started again at once, while the other keeps running) while an
/// audience event reaches 20,000 recipients in-app:
/// every recipient gets the notification, and none twice beyond the messages in flight at the kills (both counted
/// and reported). Also: <c>kill -9</c> in the middle of 300 emails.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class DispatcherKillTests(FaultServers servers, ITestOutputHelper output)
{
    private const int Audience = 20_000;

    /// <summary>
    /// Kills at 10%, 20% … 80% of the audience reached: every phase is hit however fast this machine routes (a kill
    /// every few seconds missed most of a run that took 7 s); the last fifth finishes undisturbed.
    /// </summary>
    private const int MaxKills = 8;

    /// <summary>
    /// Leases short enough that the work a killed replica held is taken over within the suite's time budget: with the
    /// defaults (2 min for events, 1 min for messages) each kill could cost minutes. A live replica routing a large
    /// audience also loses the event when its lease runs out (there is no lease heartbeat yet) — the fencing on the
    /// lease owner keeps that from doing anything twice; the test counts how often it happens.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Leases = new Dictionary<string, string>
    {
        ["Comms__Dispatcher__EventLease"] = "00:00:10",
        ["Comms__Dispatcher__MessageLease"] = "00:00:10",
    };

    [Fact]
    public async Task Killing_dispatchers_during_a_20000_recipient_audience_event_loses_nobody()
    {
        await using var api = await servers.StartApiAsync();
        var (tenant, client) = await FaultServers.CreateTenantAsync(api, "kill");
        await SeedAsync(client, tenant);
        var replicas = new List<ServiceProcess> { servers.Dispatcher("crashing", Leases), servers.Dispatcher("steady", Leases) };
        try
        {
            replicas.ForEach(r => r.Start());
            await Task.WhenAll(replicas.Select(r => r.WaitAliveAsync()));

            var clock = Stopwatch.StartNew();
            await FaultServers.SendAsync(client, HttpMethod.Post, "/v1/events", new
            {
                name = "fault.audience", audience = new { all = true }, causeRef = "audience:1", category = "account", payload = new { n = 1 },
            });

            var (kills, inFlight, takeovers) = await KillUntilDeliveredAsync(replicas[0], replicas[1], tenant, clock);
            var routed = clock.Elapsed;
            await Poll.UntilAsync(async () =>
                await servers.ScalarAsync("SELECT count(*) FROM messages WHERE tenant_id = @t AND status = 'queued'", tenant) == 0
                && await servers.ScalarAsync("SELECT count(*) FROM events WHERE tenant_id = @t AND status <> 'routed'", tenant) == 0,
                "the queue to drain after the kills", TimeSpan.FromSeconds(60));

            var inbox = await servers.ScalarAsync("SELECT count(*) FROM inbox_items WHERE tenant_id = @t", tenant);
            var reached = await servers.ScalarAsync("SELECT count(DISTINCT recipient_id) FROM inbox_items WHERE tenant_id = @t", tenant);
            var messages = await servers.ScalarAsync("SELECT count(*) FROM messages WHERE tenant_id = @t", tenant);
            var sent = await servers.ScalarAsync("SELECT count(*) FROM messages WHERE tenant_id = @t AND status = 'sent'", tenant);
            var claims = await servers.ScalarAsync("SELECT max(attempts) FROM events WHERE tenant_id = @t", tenant);
            var duplicates = inbox - reached;
            ReliabilityFigures.Write(output, "kill -9 of dispatchers during a 20,000-recipient audience event",
            [
                $"Dispatchers: 2 replicas, one killed with kill -9 at each further tenth of the audience reached (at most {MaxKills} times) and restarted at once: {kills} kills; leases {Leases["Comms__Dispatcher__EventLease"]} (events) / {Leases["Comms__Dispatcher__MessageLease"]} (messages)",
                $"In-app: {reached} of {Audience} recipients reached after {routed.TotalSeconds:0.0} s; {inbox} inbox items, {duplicates} duplicates; messages {messages} ({sent} sent)",
                $"Messages in flight (claimed, not finished) at the kills: {inFlight} in total; duplicates beyond them: {Math.Max(0, duplicates - inFlight)}",
                $"Throughput with the kills: {Audience / routed.TotalSeconds:0} recipients/s; the audience event was claimed {claims} times, {takeovers} of them from a replica that was still alive and routing",
            ]);

            Assert.Equal(Audience, reached);
            Assert.Equal(Audience, messages);
            Assert.Equal(Audience, sent);
            Assert.True(duplicates <= inFlight, $"{duplicates} duplicates, more than the {inFlight} messages in flight at the kills");
            Assert.True(kills >= 3, $"only {kills} kills happened: the run was too short to prove anything");
            // The lease heartbeat keeps a live replica's claim: the event changes hands only when its owner is killed.
            Assert.Equal(0, takeovers);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Killing_a_dispatcher_in_the_middle_of_300_emails_resends_at_most_the_sends_in_flight_with_the_same_message_id()
    {
        const int emails = 300;
        const int maxParallelSends = 16; // Comms:Dispatcher:MaxParallelSends (the default)
        await using var api = await servers.StartApiAsync();
        var (tenant, client) = await FaultServers.CreateTenantAsync(api, "mailkill");
        var domain = $"{tenant}.test";
        var schema = new { type = "object", required = new[] { "n" }, properties = new { n = new { type = "integer" } } };
        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/templates/fault.mail/email/en-US/draft",
            new { category = "account", content = new { subject = "Mail {{ n }}", text = "Mail {{ n }}" }, variablesSchema = schema });
        await FaultServers.SendAsync(client, HttpMethod.Post, "/v1/templates/fault.mail/email/en-US/publish", new { });
        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/routing-rules/fault.mail",
            new { templateName = "fault.mail", category = "account", channels = new[] { "email" } });
        await SeedRecipientsAsync(tenant, emails, "m", domain);
        await using var dispatcher = servers.Dispatcher("mailer", Leases);
        dispatcher.Start();
        await dispatcher.WaitAliveAsync();

        await FaultServers.SendAsync(client, HttpMethod.Post, "/v1/events", new
        {
            name = "fault.mail", audience = new { all = true }, causeRef = "mail:1", category = "account", payload = new { n = 1 },
        });
        await Poll.UntilAsync(async () => (await servers.MailsAsync(domain)).Count >= emails / 3, "a third of the emails", TimeSpan.FromSeconds(60));
        var claimed = await servers.ScalarAsync(
            $"SELECT count(*) FROM messages WHERE tenant_id = @t AND status = 'queued' AND lease_owner = '{dispatcher.InstanceId}'", tenant);
        dispatcher.Kill();
        var atKill = (await servers.MailsAsync(domain)).Count;
        dispatcher.Start();
        await Poll.UntilAsync(async () => (await servers.MailsAsync(domain)).Select(m => m.To).Distinct().Count() >= emails
                                          && await servers.ScalarAsync("SELECT count(*) FROM messages WHERE tenant_id = @t AND status = 'queued'", tenant) == 0,
            "every email after the restart", TimeSpan.FromSeconds(60));

        var mails = await servers.MailsAsync(domain);
        var duplicates = mails.Count - mails.Select(m => m.To).Distinct().Count();
        var idsPerRecipient = mails.GroupBy(m => m.To).Where(g => g.Count() > 1).Select(g => g.Select(m => m.MessageId).Distinct().Count()).ToList();
        ReliabilityFigures.Write(output, "kill -9 of the dispatcher in the middle of 300 emails",
        [
            $"Killed after {atKill} of {emails} emails reached the SMTP server; {claimed} messages were claimed by the killed process (a batch)",
            $"Email: {mails.Select(m => m.To).Distinct().Count()} of {emails} delivered after the restart, {duplicates} sent twice (at most the {maxParallelSends} sends in flight may repeat); repeats carry the same Message-Id: {idsPerRecipient.All(n => n == 1)}",
        ]);

        Assert.Equal(emails, mails.Select(m => m.To).Distinct().Count());
        Assert.True(duplicates <= maxParallelSends, $"{duplicates} emails were sent twice, more than the {maxParallelSends} sends in flight");
        Assert.All(mails, m => Assert.False(string.IsNullOrEmpty(m.MessageId)));
        Assert.All(idsPerRecipient, n => Assert.Equal(1, n));
    }

    /// <summary>
    /// At each further tenth of the audience reached, kills a replica — every other time the one routing the audience
    /// event (so the event itself changes hands), else <paramref name="crashing"/> — until every recipient has the notification, counting the messages
    /// it held at each kill and the times the audience event changed hands while its owner was still running.
    /// </summary>
    private async Task<(int Kills, long InFlight, int LiveTakeovers)> KillUntilDeliveredAsync(
        ServiceProcess crashing, ServiceProcess steady, string tenant, Stopwatch clock)
    {
        var (kills, inFlight, takeovers) = (0, 0L, 0);
        var deadline = TimeSpan.FromSeconds(120);
        string? owner = null;
        long reached;
        while ((reached = await servers.ScalarAsync("SELECT count(DISTINCT recipient_id) FROM inbox_items WHERE tenant_id = @t", tenant)) < Audience)
        {
            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"After {kills} kills and {deadline.TotalSeconds:0} s not every recipient was reached.\n{crashing.Output}\n{steady.Output}");
            }

            var current = await EventOwnerAsync(tenant);
            if (owner is not null && current is not null && current != owner && (owner == crashing.InstanceId || owner == steady.InstanceId))
            {
                takeovers++; // the previous owner was not killed (a killed process restarts under a new name)
            }

            owner = current ?? owner;
            if (kills >= MaxKills || reached < (long)Audience * (kills + 1) / (MaxKills + 2))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100)); // the replicas work undisturbed until the next tenth
                continue;
            }

            var victim = kills % 2 == 1 && current == steady.InstanceId ? steady : crashing;
            await using (var command = servers.DataSource.CreateCommand(
                             "SELECT count(*) FROM messages WHERE tenant_id = @t AND lease_owner = @owner AND status = 'queued'"))
            {
                command.Parameters.AddWithValue("t", tenant);
                command.Parameters.AddWithValue("owner", victim.InstanceId);
                inFlight += (long)(await command.ExecuteScalarAsync())!;
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: kill -9 {victim.InstanceId}; inbox items so far {await servers.ScalarAsync("SELECT count(*) FROM inbox_items WHERE tenant_id = @t", tenant)}, messages {await servers.ScalarAsync("SELECT count(*) FROM messages WHERE tenant_id = @t", tenant)}, the event owned by {current ?? "nobody"}");
            victim.Kill();
            kills++;
            victim.Start();
        }

        return (kills, inFlight, takeovers);
    }

    /// <summary>The replica holding the audience event's lease, or null.</summary>
    private async Task<string?> EventOwnerAsync(string tenant)
    {
        await using var command = servers.DataSource.CreateCommand("SELECT lease_owner FROM events WHERE tenant_id = @t AND status = 'pending'");
        command.Parameters.AddWithValue("t", tenant);
        return await command.ExecuteScalarAsync() as string;
    }

    private async Task SeedAsync(HttpClient client, string tenant)
    {
        var schema = new { type = "object", required = new[] { "n" }, properties = new { n = new { type = "integer" } } };
        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/templates/fault.audience/in_app/en-US/draft",
            new { category = "account", content = new { title = "Audience {{ n }}", body = "For everyone" }, variablesSchema = schema });
        await FaultServers.SendAsync(client, HttpMethod.Post, "/v1/templates/fault.audience/in_app/en-US/publish", new { });
        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/routing-rules/fault.audience",
            new { templateName = "fault.audience", category = "account", channels = new[] { "in_app" } });

        await SeedRecipientsAsync(tenant, Audience, "k", $"{tenant}.test");
    }

    /// <summary>Recipients straight into the database (through the API, 20,000 would take minutes of the budget).</summary>
    private async Task SeedRecipientsAsync(string tenant, int count, string prefix, string domain)
    {
        var now = DateTimeOffset.UtcNow;
        await using var db = servers.CreateDbContext();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.Recipients.AddRange(Enumerable.Range(0, count).Select(i => new Recipient
        {
            Id = Guid.CreateVersion7(), TenantId = tenant, ExternalId = $"{prefix}{i:D5}", Name = $"Recipient {i}", Email = $"{prefix}{i:D5}@{domain}",
            Locale = "en-US", TimeZone = "UTC", QuietHoursEnabled = false, CreatedAt = now, UpdatedAt = now,
        }));
        await db.SaveChangesAsync();
    }
}
