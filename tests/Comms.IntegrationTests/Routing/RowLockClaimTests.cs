using Comms.Core.Events;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Routing;

/// <summary>
/// Claiming events by their row locks (the routing transaction is the lease): nobody else can claim them while it is open,
/// nothing of them changes if it rolls back (a dispatcher that dies), and they are claimable again at once — no lease to wait out.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class RowLockClaimTests(CommsFixture fixture)
{
    [Fact]
    public async Task Events_claimed_by_row_lock_are_skipped_by_other_claims_and_free_at_once_when_the_transaction_dies()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        // Due in a month: only queues on a clock moved past it see the event (the suite's dispatcher does not route it).
        var sendAt = DateTimeOffset.UtcNow.AddDays(30);
        var id = await tenant.PostEventAsync(new
        {
            name = TestTenant.WelcomeEvent, recipients = new[] { "ann" }, causeRef = "row-lock:1", sendAt, payload = new { name = "Ann" },
        });
        var clock = new FakeTimeProvider(sendAt.AddSeconds(1));
        var queue = new EventQueue(fixture.DataSource, clock);

        var locked = await queue.LockDueAsync("replica-a", 1000, TimeSpan.FromMinutes(2), CancellationToken.None);
        var held = Assert.Single(locked.Events, e => e.Id == id);
        Assert.Equal(1, held.Attempts); // counted as a claim counts it

        // Held by the open transaction: another replica's claim, leased or locked, skips it.
        Assert.DoesNotContain(await queue.ClaimByIdsAsync([id], "replica-b", TimeSpan.FromMinutes(2), CancellationToken.None), e => e.Id == id);
        await using (var other = await queue.LockDueAsync("replica-b", 1000, TimeSpan.FromMinutes(2), CancellationToken.None))
        {
            Assert.DoesNotContain(other.Events, e => e.Id == id);
        }

        // The holder dies before committing: nothing of the event changed, and it is claimable at once.
        await locked.DisposeAsync();
        await using (var db = fixture.CreateDbContext())
        {
            var row = await db.Events.AsNoTracking().SingleAsync(e => e.Id == id);
            Assert.Equal(("pending", 0, null, null), (row.Status, row.Attempts, row.LeaseOwner, row.LeaseUntil));
        }

        var taken = Assert.Single(await queue.ClaimByIdsAsync([id], "replica-b", TimeSpan.FromMinutes(2), CancellationToken.None));
        Assert.Equal(("replica-b", 1), (taken.LeaseOwner, taken.Attempts));
        Assert.NotNull(taken.ClaimToken);
    }

    [Fact]
    public async Task A_stalled_holder_loses_its_row_locks_after_the_lease_and_its_late_write_fails()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var sendAt = DateTimeOffset.UtcNow.AddDays(31);
        var id = await tenant.PostEventAsync(new
        {
            name = TestTenant.WelcomeEvent, recipients = new[] { "ann" }, causeRef = "row-lock:stalled", sendAt, payload = new { name = "Ann" },
        });
        var queue = new EventQueue(fixture.DataSource, new FakeTimeProvider(sendAt.AddSeconds(1)));

        // The holder locks the event and then says nothing more (a paused dispatcher): after its lease PostgreSQL ends its
        // session, and another replica claims the event.
        await using var stalled = await queue.LockDueAsync("replica-a", 1000, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Contains(stalled.Events, e => e.Id == id);
        var taken = await Poll.UntilAsync(async () =>
            (await queue.ClaimByIdsAsync([id], "replica-b", TimeSpan.FromMinutes(2), CancellationToken.None)).SingleOrDefault(), "the event claimed by another replica");
        Assert.Equal("replica-b", taken.LeaseOwner);

        // The stalled holder's write, when it wakes, changes nothing.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var write = new Npgsql.NpgsqlCommand("UPDATE events SET status = 'routed' WHERE id = @id", stalled.Connection, stalled.Transaction);
            write.Parameters.AddWithValue("id", id);
            await write.ExecuteNonQueryAsync();
            await stalled.Transaction.CommitAsync();
        });
        await using var db = fixture.CreateDbContext();
        var row = await db.Events.AsNoTracking().SingleAsync(e => e.Id == id);
        Assert.Equal(("pending", "replica-b"), (row.Status, row.LeaseOwner));
    }

    [Fact]
    public async Task A_dispatcher_claiming_by_row_lock_routes_a_batch_in_one_transaction_without_writing_a_lease()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        var sendAt = clock.GetUtcNow().AddHours(2);
        var ids = new List<Guid>();
        foreach (var (cause, to) in new[] { ("lock:1", "ann"), ("lock:2", "bob"), ("lock:3", "ghost") })
        {
            ids.Add(await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { to }, causeRef = cause, sendAt, payload = new { name = "X" } }));
        }

        await using var dispatcher = fixture.StartDispatcher(new Dictionary<string, string?> { ["Comms:Dispatcher:ClaimByRowLock"] = "true" }, time: clock);
        clock.SetUtcNow(sendAt.AddSeconds(1));
        await fixture.RedisClient.GetSubscriber().PublishAsync(Comms.Core.Queueing.WakeUps.Channel, Comms.Core.Queueing.WakeUps.Events);
        foreach (var id in ids)
        {
            await tenant.DecisionsAsync(id);
        }

        await using var db = fixture.CreateDbContext();
        var rows = await db.Events.AsNoTracking().Where(e => ids.Contains(e.Id)).ToListAsync();
        Assert.All(rows, e => Assert.Equal(("routed", 1, null, null), (e.Status, e.Attempts, e.LeaseOwner, e.ClaimToken)));
        Assert.Single(rows.Select(e => e.RoutedAt).Distinct()); // one transaction
    }
}
