using System.Net.Http.Json;
using Comms.Core.Digests;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Isolation;

/// <summary>
/// A batch is an optimisation, never a unit of failure: one bad message or digest window fails alone, after its
/// attempts, dead-lettered with its reason, while everything claimed with it is delivered.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class PoisonIsolationTests(CommsFixture fixture)
{
    private const int MaxAttempts = 3; // Comms:Dispatcher:MaxAttempts, the default

    [Fact]
    public async Task A_poison_in_app_message_fails_alone_after_its_attempts_and_its_batch_neighbours_of_every_tenant_are_delivered()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "p1", "p2", "p3", "p4");
        var other = await TestTenant.CreateAsync(fixture, "q1", "q2");
        // A title longer than the inbox holds (500): the in-app writer's insert fails for this message, every time.
        var poison = new RenderedContent { Title = new string('x', 600), Body = "poison" };
        RenderedContent Good(string name) => new() { Title = "Hello " + name, Body = "fine", BodyHtml = "<p>fine</p>" };

        // One transaction: the sender claims them together, in one batch (one inbox transaction).
        var ids = await DirectQueue.QueueAsync(fixture, tenant, Channel.InApp,
            [("p1", Good("p1")), ("p2", poison), ("p3", Good("p3")), ("p4", Good("p4"))]);
        var otherIds = await DirectQueue.QueueAsync(fixture, other, Channel.InApp, [("q1", Good("q1")), ("q2", Good("q2"))]);
        await DirectQueue.WakeAsync(fixture, Channel.InApp);

        var poisonId = ids[1];
        var good = ids.Where(id => id != poisonId).Concat(otherIds).ToList();
        await using var db = fixture.CreateDbContext();
        await Poll.UntilAsync(async () =>
            await db.InboxItems.CountAsync(i => good.Contains(i.MessageId)) == good.Count
            && await db.Messages.AnyAsync(m => m.Id == poisonId && m.Status == MessageStatus.Failed),
            "the good messages delivered and the poison one dead-lettered");

        var messages = await db.Messages.AsNoTracking().Where(m => good.Contains(m.Id) || m.Id == poisonId).ToListAsync();
        Assert.All(messages.Where(m => m.Id != poisonId), m => Assert.Equal(MessageStatus.Sent, m.Status));
        var dead = messages.Single(m => m.Id == poisonId);
        Assert.Equal(MaxAttempts, dead.Attempts);
        Assert.NotNull(dead.FailedAt);
        Assert.StartsWith($"Gave up after {MaxAttempts} attempts:", dead.LastError, StringComparison.Ordinal);
        Assert.Null(dead.ClaimToken);
        Assert.False(await db.InboxItems.AnyAsync(i => i.MessageId == poisonId));
    }

    [Fact]
    public async Task A_digest_window_that_fails_is_dead_lettered_alone_and_the_other_windows_still_flush()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "dee");
        // The bad digest template blows Liquid's step limit at render time, on every attempt.
        await tenant.AddTemplateAsync("bad.digest", Channel.Email, new() { Subject = "bad", Text = "{% for i in (1..1000000) %}x{% endfor %}" });
        await tenant.AddTemplateAsync("good.digest", Channel.Email, new() { Subject = "{{ count }} good things", Text = "{{ count }}" });
        await tenant.SetRuleAsync("bad.happened", new
        {
            templateName = "bad.digest", category = "messages", channels = new[] { "email" },
            digest = new { key = "bad", windowSeconds = 1, templateName = "bad.digest" },
        });
        await tenant.SetRuleAsync("good.happened", new
        {
            templateName = "good.digest", category = "messages", channels = new[] { "email" },
            digest = new { key = "good", windowSeconds = 2, templateName = "good.digest" },
        });

        // The bad window is due first, so whenever the good one is due the bad one is due too.
        await tenant.PostEventAsync(new { name = "bad.happened", recipients = new[] { "dee" }, causeRef = "bad:1", payload = new { } });
        await tenant.PostEventAsync(new { name = "good.happened", recipients = new[] { "dee" }, causeRef = "good:1", payload = new { } });

        var mail = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("dee"));
        Assert.Equal("1 good things", mail.Subject);

        await using var db = fixture.CreateDbContext();
        var bad = await Poll.UntilAsync(async () =>
            await db.Digests.AsNoTracking().SingleOrDefaultAsync(d => d.TenantId == tenant.Id && d.DigestKey == "bad" && d.Status == DigestStatus.Failed),
            "the bad window to be dead-lettered");
        Assert.Equal(MaxAttempts, bad.Attempts);
        Assert.NotNull(bad.FailedAt);
        Assert.False(string.IsNullOrEmpty(bad.LastError));
        Assert.Null(bad.MessageId);
        var good = await db.Digests.AsNoTracking().SingleAsync(d => d.TenantId == tenant.Id && d.DigestKey == "good");
        Assert.Equal((DigestStatus.Flushed, 1, 1), (good.Status, good.Attempts, good.EventCount));
        Assert.Single(await fixture.Mailbox.ToAsync(tenant.EmailOf("dee")));
    }

    [Fact]
    public async Task A_large_digest_window_renders_its_first_events_and_counts_all_without_loading_them()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "lia");
        await tenant.AddTemplateAsync("many.digest", Channel.Email, new()
        {
            Subject = "{{ count }} events, {{ omitted }} not listed",
            Text = "{% for e in events %}{{ e.n }};{% endfor %}",
        });
        await tenant.SetRuleAsync("many.happened", new
        {
            templateName = "many.digest", category = "messages", channels = new[] { "email" },
            digest = new { key = "many", windowSeconds = 5, templateName = "many.digest" },
        });
        const int total = DigestFlusher.MaxEventsRendered + 50;
        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/events/bulk", new
        {
            events = Enumerable.Range(0, total).Select(n => new { name = "many.happened", recipients = new[] { "lia" }, causeRef = $"many:{n}", payload = new { n } }),
        });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        var mail = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("lia"), TimeSpan.FromSeconds(40));
        Assert.Equal($"{total} events, 50 not listed", mail.Subject);
        var listed = mail.Text!.Trim().Split(';', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(DigestFlusher.MaxEventsRendered, listed.Length);
        Assert.Equal(DigestFlusher.MaxEventsRendered, listed.Distinct().Count());
    }
}
