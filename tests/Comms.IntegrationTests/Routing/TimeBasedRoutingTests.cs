using System.Net.Http.Json;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Queueing;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Routing;

/// <summary>
/// Quiet hours, escalation and delays, with a second dispatcher on a fake clock that the test moves
/// forward (the fixture's own dispatcher keeps real time, so it never sends these early).
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class TimeBasedRoutingTests(CommsFixture fixture)
{
    private static readonly TemplateContent Email = new() { Subject = "{{ title }}", Text = "{{ title }}" };
    private static readonly TemplateContent InApp = new() { Title = "{{ title }}", Body = "{{ title }}" };

    private async Task<TestTenant> TenantAsync(object rule)
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("notice", Channel.Email, Email);
        await tenant.AddTemplateAsync("notice", Channel.InApp, InApp);
        await tenant.SetRuleAsync("notice", rule);
        return tenant;
    }

    private async Task WakeAsync(string topic) =>
        await fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, topic);

    private async Task<Message> MessageAsync(string tenantId, string channel, string cause)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Messages.AsNoTracking().SingleAsync(m => m.TenantId == tenantId && m.Channel == channel && m.CauseRef == cause);
    }

    [Fact]
    public async Task Inside_quiet_hours_email_is_deferred_to_the_end_plus_a_minute_and_then_sent_but_critical_mail_is_not()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dispatcher = fixture.StartDispatcher(time: clock);
        var tenant = await TenantAsync(new { templateName = "notice", category = "booking", channels = new[] { "email", "in_app" } });
        var now = clock.GetUtcNow();
        var window = new QuietHoursWindow(TimeOnly.FromDateTime(now.AddHours(-1).UtcDateTime), TimeOnly.FromDateTime(now.AddHours(2).UtcDateTime), TimeZoneInfo.Utc);
        await tenant.AddRecipientAsync("ann", r => (r.QuietHoursEnabled, r.QuietHoursStart, r.QuietHoursEnd) = (true, window.Start, window.End));

        var decisions = await tenant.DecisionsAsync(await tenant.PostEventAsync(
            new { name = "notice", recipients = new[] { "ann" }, causeRef = "q:1", payload = new { title = "Booked" } }));
        var critical = await tenant.DecisionsAsync(await tenant.PostEventAsync(
            new { name = "notice", recipients = new[] { "ann" }, causeRef = "q:2", category = "security", payload = new { title = "New sign-in" } }));

        Assert.Contains(("ann", "email", "deferred", ReasonCodes.QuietHours), decisions);
        Assert.Contains(("ann", "in_app", "queued", (string?)null), decisions);
        Assert.Contains(("ann", "email", "queued", (string?)null), critical);
        var deferred = await MessageAsync(tenant.Id, Channel.Email, "q:1");
        Assert.Equal(window.DeferUntil(now)!.Value, deferred.DueAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal(window.End.AddMinutes(1).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            deferred.DueAt.UtcDateTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        var criticalMail = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"));
        Assert.Equal("New sign-in", criticalMail.Subject);

        clock.SetUtcNow(deferred.DueAt.AddSeconds(1));
        await WakeAsync(WakeUps.MessagesFor(Channel.Email));

        await Poll.UntilAsync(async () => (await MessageAsync(tenant.Id, Channel.Email, "q:1")).Status == MessageStatus.Sent, "the deferred email to be sent");
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf("ann"))).Any(e => e.Subject == "Booked"), "the deferred email in the mailbox");
    }

    [Fact]
    public async Task An_unread_in_app_item_escalates_to_email_and_a_read_one_does_not()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dispatcher = fixture.StartDispatcher(time: clock);
        var tenant = await TenantAsync(new
        {
            templateName = "notice", category = "messages", channels = new[] { "in_app" },
            escalation = new { afterMinutes = 30, channel = "email" },
        });
        await tenant.AddRecipientAsync("ann");
        await tenant.AddRecipientAsync("bob");

        var decisions = await tenant.DecisionsAsync(await tenant.PostEventAsync(
            new { name = "notice", recipients = new[] { "ann", "bob" }, causeRef = "e:1", payload = new { title = "You have a message" } }));
        Assert.Contains(("ann", "email", DecisionOutcome.Escalation, (string?)null), decisions);
        Assert.Contains(("bob", "email", DecisionOutcome.Escalation, (string?)null), decisions);

        await using (var db = fixture.CreateDbContext())
        {
            await Poll.UntilAsync(() => db.InboxItems.CountAsync(i => i.TenantId == tenant.Id).ContinueWith(t => t.Result == 2), "both in-app items");
            var bobsItem = await db.InboxItems.SingleAsync(i => i.TenantId == tenant.Id && i.Title == "You have a message" && db.Recipients.Any(r => r.Id == i.RecipientId && r.ExternalId == "bob"));
            var read = await tenant.UserClient("bob").PostAsync($"/me/notifications/{bobsItem.Id}/read", null);
            read.EnsureSuccessStatusCode();
        }

        clock.Advance(TimeSpan.FromMinutes(31));
        await WakeAsync(WakeUps.MessagesFor(Channel.Email));

        await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"));
        await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            var escalations = await db.Messages.AsNoTracking().Where(m => m.TenantId == tenant.Id && m.Channel == Channel.Email).ToListAsync();
            return escalations.Count(m => m.Status == MessageStatus.Sent) == 1 && escalations.Count(m => m.Status == MessageStatus.Cancelled) == 1;
        }, "ann's escalation sent and bob's cancelled");
        Assert.Empty(await fixture.Mailbox.ToAsync(tenant.EmailOf("bob")));
    }

    [Fact]
    public async Task A_delayed_rule_and_a_sendAt_hold_the_message_until_then()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dispatcher = fixture.StartDispatcher(time: clock);
        var tenant = await TenantAsync(new { templateName = "notice", category = "account", channels = new[] { "email" }, delaySeconds = 600 });
        await tenant.AddRecipientAsync("ann");
        var sendAt = clock.GetUtcNow().AddHours(3);

        var delayedId = await tenant.PostEventAsync(new { name = "notice", recipients = new[] { "ann" }, causeRef = "d:1", payload = new { title = "Later" } });
        await tenant.DecisionsAsync(delayedId);
        var delayed = await MessageAsync(tenant.Id, Channel.Email, "d:1");
        var scheduledId = await tenant.PostEventAsync(new { name = "notice", recipients = new[] { "ann" }, causeRef = "d:2", sendAt, payload = new { title = "Much later" } });

        Assert.InRange(delayed.DueAt - delayed.CreatedAt, TimeSpan.FromSeconds(599), TimeSpan.FromSeconds(601));
        await using (var db = fixture.CreateDbContext())
        {
            var ev = await db.Events.AsNoTracking().SingleAsync(e => e.Id == scheduledId);
            Assert.Equal("pending", ev.Status);
            Assert.Equal(sendAt, ev.DueAt, TimeSpan.FromMilliseconds(1));
        }

        clock.SetUtcNow(sendAt.AddSeconds(1));
        await WakeAsync(WakeUps.Events);
        var decisions = await tenant.DecisionsAsync(scheduledId);
        Assert.Equal([("ann", "email", "queued", (string?)null)], decisions);
        Assert.True((await MessageAsync(tenant.Id, Channel.Email, "d:2")).DueAt >= sendAt.AddSeconds(600));
    }
}
