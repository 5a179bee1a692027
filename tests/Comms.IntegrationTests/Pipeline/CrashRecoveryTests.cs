using Comms.Core.Events;
using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// Nothing is lost when a dispatcher dies holding work: its leases run out and another dispatcher
/// takes the events and messages over, sending each once. The "crashed" dispatcher is simulated by
/// claiming rows with the real queue code and never finishing them.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class CrashRecoveryTests(CommsFixture fixture)
{
    [Fact]
    public async Task Messages_and_events_held_by_a_dead_dispatcher_are_taken_over_when_their_leases_expire()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var survivor = fixture.StartDispatcher(time: clock);

        // The dead dispatcher claims the event before anyone else can (it is due in the future for the others).
        var sendAt = clock.GetUtcNow().AddMinutes(10);
        var eventId = await tenant.PostEventAsync(new
        {
            name = TestTenant.WelcomeEvent, recipients = new[] { "ann", "bob" }, causeRef = "crash:1", sendAt, payload = new { name = "Ann" },
        });
        var deadClock = new FakeTimeProvider(sendAt.AddSeconds(1));
        var deadEvents = new EventQueue(fixture.DataSource, deadClock);
        var claimed = await deadEvents.ClaimAsync("dead-dispatcher", 100, TimeSpan.FromMinutes(2), CancellationToken.None);
        Assert.Contains(claimed, e => e.Id == eventId);

        // After the dead dispatcher's lease, the survivor routes the event and sends its messages once.
        clock.SetUtcNow(sendAt.AddMinutes(3));
        await fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, WakeUps.Events);
        await tenant.DecisionsAsync(eventId);
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf("ann"))).Count == 1
                                          && (await fixture.Mailbox.ToAsync(tenant.EmailOf("bob"))).Count == 1, "both emails");
        // A send's "sent" mark is group-committed just behind the SMTP answer: the email can be in the mailbox a moment
        // before its row says so.
        var messages = await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            var rows = await db.Messages.AsNoTracking().Where(m => m.EventId == eventId).ToListAsync();
            return rows.Count == 4 && rows.All(m => m.Status == MessageStatus.Sent) ? rows : null;
        }, "all four messages marked sent");
        await using var check = fixture.CreateDbContext();
        Assert.All(messages, m => Assert.Equal(MessageStatus.Sent, m.Status));
        Assert.Equal(4, messages.Count);
        Assert.Equal(2, (await check.Events.AsNoTracking().SingleAsync(e => e.Id == eventId)).Attempts);
    }

    [Fact]
    public async Task A_message_claimed_by_a_dead_dispatcher_is_sent_once_after_its_lease()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "cid");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var survivor = fixture.StartDispatcher(time: clock);
        await tenant.SetRuleAsync("later", new { templateName = TestTenant.WelcomeEvent, category = "account", channels = new[] { "email" }, delaySeconds = 3600 });
        var eventId = await tenant.PostEventAsync(new { name = "later", recipients = new[] { "cid" }, causeRef = "crash:2", payload = new { name = "Cid" } });
        await tenant.DecisionsAsync(eventId);
        await using var db = fixture.CreateDbContext();
        var message = await db.Messages.AsNoTracking().SingleAsync(m => m.EventId == eventId);

        var dead = new MessageQueue(fixture.DataSource, new FakeTimeProvider(message.DueAt.AddSeconds(1)));
        var held = await dead.ClaimAsync([Channel.Email], "dead-dispatcher", 10, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Contains(held, m => m.Id == message.Id);

        clock.SetUtcNow(message.DueAt.AddMinutes(2));
        await fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, WakeUps.MessagesFor(Channel.Email));
        await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("cid"));
        await Poll.UntilAsync(async () => (await db.Messages.AsNoTracking().SingleAsync(m => m.Id == message.Id)).Status == MessageStatus.Sent, "the message to be sent");

        // The dead dispatcher waking up late can no longer change the outcome (its writes are fenced on the lease).
        Assert.False(await dead.MarkFailedAsync(held.Single(m => m.Id == message.Id).Claim, "too late", CancellationToken.None));
        var final = await db.Messages.AsNoTracking().SingleAsync(m => m.Id == message.Id);
        Assert.Equal((MessageStatus.Sent, 2), (final.Status, final.Attempts));
        Assert.Single(await fixture.Mailbox.ToAsync(tenant.EmailOf("cid")));
    }
}
