using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Queueing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Routing;

/// <summary>Events that become due together are routed in one transaction, with the same decisions as one by one.</summary>
[Collection(CommsCollection.Name)]
public sealed class BatchRoutingTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_batch_of_due_events_is_routed_together_with_every_decision_right()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dispatcher = fixture.StartDispatcher(time: clock);
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        await tenant.SetRuleAsync("mixed", new
        {
            templateName = TestTenant.WelcomeEvent, category = "account", channels = new[] { "email", "in_app" },
            dedupe = new { key = "{{ name }}", windowSeconds = 300 },
        });
        var bob = await fixture.CreateDbContext().Recipients.SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == "bob");
        await using (var db = fixture.CreateDbContext())
        {
            db.Preferences.Add(new Preference { TenantId = tenant.Id, RecipientId = bob.Id, Channel = Channel.Email, Category = "promotions", Enabled = true, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var sendAt = clock.GetUtcNow().AddHours(1);
        object Event(string cause, string name, string category, params string[] to) =>
            new { name = "mixed", recipients = to, causeRef = cause, category, sendAt, payload = new { name } };
        var ids = new List<Guid>
        {
            await tenant.PostEventAsync(Event("b:1", "one", "account", "ann", "bob")),
            await tenant.PostEventAsync(Event("b:2", "two", "promotions", "ann", "bob")),
            await tenant.PostEventAsync(Event("b:3", "one", "account", "ann")),
            await tenant.PostEventAsync(Event("b:4", "three", "account", "ghost")),
        };

        clock.SetUtcNow(sendAt.AddSeconds(1));
        await fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, WakeUps.Events);

        var decisions = new List<(string, string, string, string?)>();
        foreach (var id in ids)
        {
            decisions.AddRange((await tenant.DecisionsAsync(id)).Select(d => (d.Recipient, d.Channel, d.Outcome, d.Reason)));
        }

        Assert.Equal(
        [
            ("ann", "email", "queued", null), ("ann", "in_app", "queued", null), ("bob", "email", "queued", null), ("bob", "in_app", "queued", null),
            ("ann", "email", "blocked", ReasonCodes.PrefBlocked), ("ann", "in_app", "queued", null), ("bob", "email", "queued", null), ("bob", "in_app", "queued", null),
            ("ann", "email", "blocked", ReasonCodes.Duplicate), ("ann", "in_app", "blocked", ReasonCodes.Duplicate),
            ("ghost", "*", "blocked", ReasonCodes.UnknownRecipient),
        ], decisions);
        await using var check = fixture.CreateDbContext();
        var routedAt = await check.Events.AsNoTracking().Where(e => ids.Contains(e.Id)).Select(e => e.RoutedAt).Distinct().ToListAsync();
        Assert.Single(routedAt); // one transaction routed them all
        Assert.Equal(7, await check.Messages.CountAsync(m => m.TenantId == tenant.Id));
    }
}
