extern alias dispatcher;

using System.Collections.Concurrent;
using Comms.Core.Events;
using Comms.Core.Messages;
using dispatcher::Comms.Dispatcher.Sending;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Isolation;

/// <summary>
/// Leases hold while work is in flight (a heartbeat extends them), every state change is fenced on the claim's
/// token, and idle workers sleep until the next row can be claimed — even while another replica holds the rows.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class LeaseTests(CommsFixture fixture)
{
    private Infrastructure.ServiceFactory<dispatcher::Program> StartDispatcherWith(SlowSender sender, IReadOnlyDictionary<string, string?> settings) =>
        sender.StartDispatcher(fixture, settings);

    [Fact]
    public async Task A_send_slower_than_the_lease_keeps_its_lease_and_is_sent_exactly_once_with_two_dispatchers()
    {
        const string channel = "slow-test";
        var tenant = await TestTenant.CreateAsync(fixture, "sam");
        var calls = new ConcurrentDictionary<Guid, int>();
        var settings = new Dictionary<string, string?>
        {
            ["Comms:Dispatcher:MessageLease"] = "00:00:01",
            ["Comms:Dispatcher:PollInterval"] = "00:00:00.100", // the other replica looks often: it would take an expired lease at once
        };
        await using var first = StartDispatcherWith(new SlowSender(channel, TimeSpan.FromSeconds(4), calls), settings);
        await using var second = StartDispatcherWith(new SlowSender(channel, TimeSpan.FromSeconds(4), calls), settings);

        var id = (await DirectQueue.QueueAsync(fixture, tenant, channel, [("sam", new RenderedContent { Text = "slow" })])).Single();
        await DirectQueue.WakeAsync(fixture, channel);

        var sent = await Poll.UntilAsync(async () =>
            await DirectQueue.MessageAsync(fixture, id) is { Status: MessageStatus.Sent } message ? message : null, "the slow send to finish");
        Assert.Equal(1, sent.Attempts);
        Assert.Equal("slow:" + id, sent.ProviderMessageId);
        Assert.Equal(1, calls[id]);
    }

    [Fact]
    public async Task A_late_write_of_a_claim_whose_lease_was_taken_over_changes_nothing_even_from_the_same_replica()
    {
        const string channel = "fence-test"; // no dispatcher sends this channel
        var tenant = await TestTenant.CreateAsync(fixture, "fay");
        var id = (await DirectQueue.QueueAsync(fixture, tenant, channel, [("fay", new RenderedContent { Text = "fenced" })])).Single();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(1));
        var queue = new MessageQueue(fixture.DataSource, clock);

        var early = (await queue.ClaimAsync([channel], "replica-a", 10, TimeSpan.FromMinutes(1), CancellationToken.None)).Single();
        clock.Advance(TimeSpan.FromMinutes(2)); // replica-a stalled past its lease; its next claim (same name) takes the message over
        var late = (await queue.ClaimAsync([channel], "replica-a", 10, TimeSpan.FromMinutes(1), CancellationToken.None)).Single();
        Assert.Equal(id, late.Id);
        Assert.NotEqual(early.ClaimToken, late.ClaimToken);

        Assert.False(await queue.MarkSentAsync(early.Claim, "stale", CancellationToken.None));
        Assert.False(await queue.RetryLaterAsync(early.Claim, clock.GetUtcNow(), "stale", CancellationToken.None));
        var untouched = await DirectQueue.MessageAsync(fixture, id);
        Assert.Equal((MessageStatus.Queued, late.ClaimToken, (string?)null), (untouched.Status, untouched.ClaimToken, untouched.ProviderMessageId));

        Assert.True(await queue.MarkSentAsync(late.Claim, "current", CancellationToken.None));
        var sent = await DirectQueue.MessageAsync(fixture, id);
        Assert.Equal((MessageStatus.Sent, "current", 2), (sent.Status, sent.ProviderMessageId, sent.Attempts));
    }

    [Fact]
    public async Task A_late_routing_write_of_a_taken_over_event_claim_changes_nothing()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "eve");
        // Due in the future for the running dispatchers; this test's clock is past it.
        var sendAt = DateTimeOffset.UtcNow.AddHours(1);
        var id = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "eve" }, causeRef = "fence:1", sendAt, payload = new { name = "Eve" } });
        var clock = new FakeTimeProvider(sendAt.AddSeconds(1));
        var queue = new EventQueue(fixture.DataSource, clock);
        var early = (await queue.ClaimAsync("replica-a", 1000, TimeSpan.FromMinutes(1), CancellationToken.None)).Single(e => e.Id == id);
        clock.Advance(TimeSpan.FromMinutes(2));
        var late = (await queue.ClaimAsync("replica-a", 1000, TimeSpan.FromMinutes(1), CancellationToken.None)).Single(e => e.Id == id);

        Assert.False(await queue.CompleteAsync(early.Claim, CancellationToken.None));
        Assert.False(await queue.ReleaseAsync(early.Claim, "stale", clock.GetUtcNow(), giveUp: true, CancellationToken.None));
        await using var db = fixture.CreateDbContext();
        var row = await db.Events.AsNoTracking().SingleAsync(e => e.Id == id);
        Assert.Equal((EventStatus.Pending, late.ClaimToken), (row.Status, row.ClaimToken));
        Assert.True(await queue.ReleaseAsync(late.Claim, "test over", clock.GetUtcNow(), giveUp: true, CancellationToken.None));
    }

    [Fact]
    public async Task An_idle_sender_sleeps_while_another_replica_holds_the_due_rows_and_until_a_far_future_row()
    {
        const string channel = "idle-test";
        var tenant = await TestTenant.CreateAsync(fixture, "ida");
        var ids = await DirectQueue.QueueAsync(fixture, tenant, channel, [("ida", new RenderedContent { Text = "held" })]);
        await DirectQueue.QueueAsync(fixture, tenant, channel, [("ida", new RenderedContent { Text = "later" })], DateTimeOffset.UtcNow.AddHours(1));
        // Another replica holds the due row for ten minutes.
        var other = new MessageQueue(fixture.DataSource, TimeProvider.System);
        Assert.Equal(ids, (await other.ClaimAsync([channel], "other-replica", 10, TimeSpan.FromMinutes(10), CancellationToken.None)).Select(m => m.Id));

        var calls = new ConcurrentDictionary<Guid, int>();
        await using var dispatcher = StartDispatcherWith(new SlowSender(channel, TimeSpan.Zero, calls), new Dictionary<string, string?>());
        var worker = dispatcher.Services.GetServices<IHostedService>().OfType<MessageSendingWorker>().Single(w => w.Topic == "messages:" + channel);
        await Poll.UntilAsync(() => Task.FromResult(worker.Rounds >= 1), "the worker's first round");

        // Over a few seconds the worker looks no more than once more: it sleeps until the lease ends (capped by the poll).
        var before = worker.Rounds;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.InRange(worker.Rounds - before, 0, 1);
        Assert.Empty(calls);
    }
}
