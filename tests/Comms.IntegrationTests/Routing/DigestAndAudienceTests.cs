using Comms.Core.Digests;
using Comms.Core.Messages;
using Comms.Core.Recipients;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Routing;

/// <summary>Digests under concurrency with two dispatchers, and audiences streamed in chunks.</summary>
[Collection(CommsCollection.Name)]
public sealed class DigestAndAudienceTests(CommsFixture fixture)
{
    [Fact]
    public async Task Racing_events_become_exactly_one_digest_per_recipient_and_window_with_two_dispatchers()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        await tenant.AddTemplateAsync("comments.digest", Channel.Email, new()
        {
            Subject = "{{ count }} new comments",
            Text = "{% for e in events %}{{ e.author }};{% endfor %}",
        });
        await tenant.SetRuleAsync("comment.added", new
        {
            templateName = "comment.added", category = "messages", channels = new[] { "email" },
            digest = new { key = "thread:{{ thread }}", windowSeconds = 3, templateName = "comments.digest" },
        });
        await using var second = fixture.StartDispatcher();

        var authors = Enumerable.Range(0, 12).Select(i => $"author{i}").ToList();
        var ids = await Task.WhenAll(authors.Select(author => tenant.PostEventAsync(new
        {
            name = "comment.added", recipients = new[] { "ann", "bob" }, causeRef = "comment:" + author, payload = new { thread = "t1", author },
        })));

        await using var db = fixture.CreateDbContext();
        await Poll.UntilAsync(async () =>
            await db.DigestEntries.CountAsync(e => db.Digests.Any(d => d.Id == e.DigestId && d.TenantId == tenant.Id)) == 2 * authors.Count
            && !await db.Digests.AnyAsync(d => d.TenantId == tenant.Id && d.Status == DigestStatus.Open)
            && await db.Messages.CountAsync(m => m.TenantId == tenant.Id && m.Status == MessageStatus.Sent)
               == await db.Digests.CountAsync(d => d.TenantId == tenant.Id),
            "every event collected, every window flushed and sent", TimeSpan.FromSeconds(40));

        var digests = await db.Digests.AsNoTracking().Where(d => d.TenantId == tenant.Id).ToListAsync();
        var entries = await db.DigestEntries.AsNoTracking().Where(e => digests.Select(d => d.Id).Contains(e.DigestId)).ToListAsync();
        // Every event is in exactly one window per recipient, and every window produced exactly one message.
        Assert.Equal(2 * authors.Count, entries.Count);
        Assert.Equal(digests.Count, await db.Messages.CountAsync(m => m.TenantId == tenant.Id));
        Assert.All(digests, d => Assert.NotNull(d.MessageId));
        foreach (var user in new[] { "ann", "bob" })
        {
            var mails = await fixture.Mailbox.ToAsync(tenant.EmailOf(user));
            var mentioned = mails.SelectMany(m => m.Text!.Trim().Split(';', StringSplitOptions.RemoveEmptyEntries)).ToList();
            Assert.Equal(authors.Order(), mentioned.Order());
        }

        Assert.All(ids, id => Assert.Contains(db.Decisions.Where(d => d.EventId == id).Select(d => d.Outcome), o => o == DecisionOutcome.Digested));
    }

    [Fact]
    public async Task Audiences_by_role_attribute_and_all_are_streamed_in_chunks()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("maintenance", Channel.InApp, new() { Title = "Maintenance tonight" });
        await tenant.SetRuleAsync("maintenance", new { templateName = "maintenance", category = "account", channels = new[] { "in_app" } });
        var now = DateTimeOffset.UtcNow;
        await using (var db = fixture.CreateDbContext())
        {
            for (var i = 0; i < 1203; i++)
            {
                db.Recipients.Add(new Recipient
                {
                    Id = Guid.CreateVersion7(), TenantId = tenant.Id, ExternalId = $"u{i:D4}", Roles = i % 3 == 0 ? ["admin"] : ["member"],
                    Attributes = i % 2 == 0 ? """{"plan":"pro","region":"eu"}""" : """{"plan":"free"}""",
                    QuietHoursEnabled = false, CreatedAt = now, UpdatedAt = now,
                });
            }

            await db.SaveChangesAsync();
        }

        var all = await tenant.PostEventAsync(new { name = "maintenance", audience = new { all = true }, causeRef = "m:all" });
        var admins = await tenant.PostEventAsync(new { name = "maintenance", audience = new { roles = new[] { "admin" } }, causeRef = "m:admins" });
        var proAdmins = await tenant.PostEventAsync(new { name = "maintenance", audience = new { roles = new[] { "admin" }, attributes = new { plan = "pro" } }, causeRef = "m:pro" });

        await using var check = fixture.CreateDbContext();
        foreach (var (id, expected) in new[] { (all, 1203), (admins, 401), (proAdmins, 201) })
        {
            await Poll.UntilAsync(async () => (await check.Events.AsNoTracking().SingleAsync(e => e.Id == id)).Status == "routed", "the audience to be routed", TimeSpan.FromSeconds(60));
            Assert.Equal(expected, await check.Messages.CountAsync(m => m.EventId == id));
            Assert.Equal(expected, await check.Decisions.CountAsync(d => d.EventId == id && d.Outcome == "queued"));
        }

        var routed = await check.Events.AsNoTracking().SingleAsync(e => e.Id == all);
        Assert.NotNull(routed.RoutingCursor);
    }
}
