using Comms.Core.Events;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Routing;

/// <summary>
/// An audience's chunks are written two at a time (<see cref="EventRouter.WritesInFlight"/>): a chunk's rows are written
/// while the chunk before it is still being written, but it moves the event's cursor and commits only after that one
/// committed — and if that one fails, it is rolled back with it, so a crash always resumes after the last chunk committed.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ChunkOrderTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_chunk_written_alongside_the_one_before_commits_after_it_and_is_rolled_back_if_that_one_fails()
    {
        var (ev, store) = await ClaimAudienceEventAsync("order:1");
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        // The second chunk starts first: its rows are written at once, and it waits for the first chunk's write.
        var gate = new TaskCompletionSource();
        var secondWrite = store.WriteAsync(ev, Decisions("second", 3), first, second, last: false, gate.Task, CancellationToken.None);
        await Poll.UntilAsync(() => WaitingWithRowsWrittenAsync(), "the second chunk's rows written while it waits for the first");
        Assert.Equal((0L, (Guid?)null), await StateAsync(ev.Id));

        var firstWrite = store.WriteAsync(ev, Decisions("first", 2), null, first, last: false, predecessor: null, CancellationToken.None);
        await firstWrite;
        Assert.Equal((2L, (Guid?)first), await StateAsync(ev.Id)); // the second is still uncommitted
        gate.SetResult();
        Assert.Equal(3, (await secondWrite).Count);
        Assert.Equal((5L, (Guid?)second), await StateAsync(ev.Id));
    }

    [Fact]
    public async Task When_the_chunk_before_fails_the_chunk_after_it_is_rolled_back_and_the_cursor_stays()
    {
        var (ev, store) = await ClaimAudienceEventAsync("order:2");
        var failed = new TaskCompletionSource();
        var write = store.WriteAsync(ev, Decisions("after", 4), Guid.CreateVersion7(), Guid.CreateVersion7(), last: true, failed.Task, CancellationToken.None);
        await Poll.UntilAsync(() => WaitingWithRowsWrittenAsync(), "the chunk's rows written while it waits for the one before");
        failed.SetException(new LeaseLostException(ev.Id));

        await Assert.ThrowsAsync<LeaseLostException>(() => write);
        Assert.Equal((0L, (Guid?)null), await StateAsync(ev.Id));
        await using var db = fixture.CreateDbContext();
        Assert.Equal(EventStatus.Pending, (await db.Events.AsNoTracking().SingleAsync(e => e.Id == ev.Id)).Status);
    }

    [Fact]
    public async Task A_chunk_whose_starting_cursor_is_not_the_events_writes_nothing()
    {
        var (ev, store) = await ClaimAudienceEventAsync("order:3");
        // As if the chunk before it had never committed: the cursor is still where the event began.
        await Assert.ThrowsAsync<LeaseLostException>(() =>
            store.WriteAsync(ev, Decisions("stray", 2), Guid.CreateVersion7(), Guid.CreateVersion7(), last: false, Task.CompletedTask, CancellationToken.None));
        Assert.Equal((0L, (Guid?)null), await StateAsync(ev.Id));
    }

    /// <summary>An audience event posted for later (the running dispatchers leave it), claimed by this test's own queue.</summary>
    private async Task<(EventRecord Event, RoutingStore Store)> ClaimAudienceEventAsync(string causeRef)
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var sendAt = DateTimeOffset.UtcNow.AddHours(1);
        var id = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, audience = new { all = true }, causeRef, sendAt, payload = new { name = "All" } });
        var clock = new FakeTimeProvider(sendAt.AddSeconds(1));
        var claimed = (await new EventQueue(fixture.DataSource, clock).ClaimAsync("replica-a", 1000, TimeSpan.FromMinutes(5), CancellationToken.None))
            .Single(e => e.Id == id);
        return (claimed, new RoutingStore(fixture.DataSource, clock));
    }

    private static List<PlannedDecision> Decisions(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new PlannedDecision(
            null, $"{prefix}-{i}", Channel.Email, DecisionOutcome.Blocked, ReasonCodes.UnknownRecipient, "A chunk-order test."))];

    /// <summary>A backend inside a transaction that has written the routing rows (its last statement hands the keys back) and waits.</summary>
    private async Task<bool> WaitingWithRowsWrittenAsync()
    {
        await using var command = fixture.DataSource.CreateCommand("""
            SELECT count(*) FROM pg_stat_activity
             WHERE state = 'idle in transaction' AND backend_xid IS NOT NULL AND query LIKE '%set_config(''comms.message_keys'', ''''%'
            """);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>The event's committed decisions and routing cursor.</summary>
    private async Task<(long Decisions, Guid? Cursor)> StateAsync(Guid id)
    {
        await using var command = fixture.DataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM decisions WHERE event_id = @id), (SELECT routing_cursor FROM events WHERE id = @id)");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetGuid(1));
    }
}
