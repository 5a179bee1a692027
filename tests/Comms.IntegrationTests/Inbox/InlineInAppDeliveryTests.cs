using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Inbox;

/// <summary>
/// An event's in-app message is delivered in the event's routing transaction (marked sent with its attempt row, its inbox
/// item written) instead of waiting for the in-app sender's claim — unless the tenant's plan limits in-app sends, whose
/// bucket then admits it as before.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class InlineInAppDeliveryTests(CommsFixture fixture)
{
    [Fact]
    public async Task An_in_app_message_is_delivered_in_its_routing_transaction_exactly_once()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync("inline.ping", "in_app", new TemplateContent { Title = "Ping {{ n }}" });
        await tenant.SetRuleAsync("inline.ping", new { templateName = "inline.ping", category = "account", channels = new[] { "in_app" } });

        var id = await tenant.PostEventAsync(new { name = "inline.ping", recipients = new[] { "alice" }, causeRef = "inline:1", payload = new { n = 1 } });
        // The same cause again (another event): the message's idempotency key makes it a duplicate, so still one item.
        var again = await tenant.PostEventAsync(new { name = "inline.ping", recipients = new[] { "alice" }, causeRef = "inline:1", payload = new { n = 1 } });

        // Both events routed. Usually the first is the one sent; but when the second is claimed by the other routing loop
        // while the first is still being routed, its transaction may write the message first and the first event is then
        // the duplicate. Either way exactly one message, one attempt and one inbox item — and the other event a duplicate.
        foreach (var (eventId, what) in new[] { (id, "the first event"), (again, "the second event") })
        {
            await Poll.UntilAsync(async () =>
            {
                await using var db = fixture.CreateDbContext();
                return await db.Events.AsNoTracking().AnyAsync(e => e.Id == eventId && e.RoutedAt != null) ? "routed" : null;
            }, what + " routed");
        }

        var item = await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await db.InboxItems.AsNoTracking().SingleOrDefaultAsync(i => i.TenantId == tenant.Id);
        }, "the inbox item");

        await using var check = fixture.CreateDbContext();
        var message = await check.Messages.AsNoTracking().SingleAsync(m => m.TenantId == tenant.Id);
        var sentFor = message.EventId!.Value;
        Assert.Contains(sentFor, new[] { id, again });
        var ev = await check.Events.AsNoTracking().SingleAsync(e => e.Id == sentFor);
        Assert.Equal(MessageStatus.Sent, message.Status);
        // One transaction routed the event and delivered its message: both carry its one time.
        Assert.Equal(ev.RoutedAt, message.SentAt);
        Assert.Equal(1, message.Attempts);
        Assert.Null(message.LeaseOwner);
        Assert.Equal(message.Id, item.MessageId);
        Assert.Equal(sentFor, item.EventId);
        var attempt = await check.MessageAttempts.AsNoTracking().SingleAsync(a => a.MessageId == message.Id);
        Assert.Equal((AttemptProviders.InApp, AttemptOutcome.Sent, 1), (attempt.Provider, attempt.Outcome, attempt.Attempt));
        Assert.Equal(1, await check.InboxItems.CountAsync(i => i.TenantId == tenant.Id));
        Assert.Equal(ReasonCodes.Duplicate, (await tenant.DecisionsAsync(sentFor == id ? again : id)).Single().Reason);
    }

    [Fact]
    public async Task A_tenant_whose_plan_limits_in_app_sends_still_goes_through_the_senders_bucket()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync("inline.limited", "in_app", new TemplateContent { Title = "Ping {{ n }}" });
        await tenant.SetRuleAsync("inline.limited", new { templateName = "inline.limited", category = "account", channels = new[] { "in_app" } });
        await using var dispatcher = fixture.StartDispatcher(new Dictionary<string, string?>
        {
            ["Comms:Limits:Channels:in_app"] = "1",
            ["Comms:Throttling:MaxWait"] = "00:00:00.200",
            ["Comms:Throttling:KeyPrefix"] = "comms:tb:" + Guid.NewGuid().ToString("N"),
        }, time: clock);

        // Due in an hour: only this dispatcher (on its own clock, moved past it) routes them.
        var sendAt = clock.GetUtcNow().AddHours(1);
        var ids = new List<Guid>();
        for (var n = 0; n < 3; n++)
        {
            ids.Add(await tenant.PostEventAsync(new { name = "inline.limited", recipients = new[] { "alice" }, causeRef = $"limited:{n}", sendAt, payload = new { n } }));
        }

        clock.SetUtcNow(sendAt.AddSeconds(1));
        await fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, WakeUps.Events);

        // One a second: the first goes, the others are held by the bucket (never delivered inline past it).
        var held = await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.EventId != null && ids.Contains(m.EventId.Value) && m.LastError != null);
        }, "a message held by the tenant's in-app bucket");
        Assert.StartsWith(ReasonCodes.RateLimited, held.LastError, StringComparison.Ordinal);
        Assert.Equal(MessageStatus.Queued, held.Status);
    }
}
