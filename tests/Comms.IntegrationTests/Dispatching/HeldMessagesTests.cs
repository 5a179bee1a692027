using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// Messages held by a token bucket wait without using up attempts: the provider's bucket holds them silently, a
/// tenant's plan limit per channel defers them with <c>COMMS_RATE_LIMITED</c>; none fails, all are sent at the rate.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class HeldMessagesTests(CommsFixture fixture)
{
    [Fact]
    public async Task Messages_held_by_the_provider_bucket_keep_their_attempts_and_record_no_error()
    {
        using var fcm = new FakeFcm();
        var (_, ids) = await FakeFcm.QueueAsync(fixture, 8);
        // 4 a second and no waiting in the dispatcher: most sends of each claimed batch are held, claimed again, held again...
        await using var dispatcher = fixture.StartDispatcher(fcm.Settings(
            ("Comms:Providers:Fcm:RequestsPerSecond", "4"),
            ("Comms:Throttling:MaxWait", "00:00:00"),
            ("Comms:Throttling:KeyPrefix", "comms:tb:" + Guid.NewGuid().ToString("N"))));
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var messages = await Poll.UntilAsync(async () =>
        {
            var all = await MessagesAsync(ids);
            return all.All(m => m.Status == MessageStatus.Sent) ? all : null;
        }, "every message to be sent");

        // Held several times each (with MaxAttempts 3, counting those claims would have failed some), yet one attempt each.
        Assert.All(messages, m => Assert.Equal(1, m.Attempts));
        Assert.All(messages, m => Assert.Null(m.LastError));
        var hits = fcm.Hits.Where(h => ids.Contains(h.MessageId)).OrderBy(h => h.At).ToList();
        Assert.Equal(8, hits.Count);
        Assert.True(hits[^1].At - hits[1].At >= TimeSpan.FromSeconds(1.4), $"7 requests at 4/s took {(hits[^1].At - hits[1].At).TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task A_tenants_plan_limit_per_channel_defers_its_messages_with_COMMS_RATE_LIMITED_and_leaves_other_tenants_alone()
    {
        using var fcm = new FakeFcm();
        var (limited, limitedIds) = await FakeFcm.QueueAsync(fixture, 6);
        var (_, freeIds) = await FakeFcm.QueueAsync(fixture, 6);
        await using (var db = fixture.CreateDbContext())
        {
            await db.Tenants.Where(t => t.Id == limited.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.Plan, "starter"));
        }

        await fixture.CatalogChangedAsync(limited.Id);
        await using var dispatcher = fixture.StartDispatcher(fcm.Settings(
            ("Comms:Limits:Plans:starter:Channels:push", "2"),
            ("Comms:Throttling:MaxWait", "00:00:00.200"),
            ("Comms:Throttling:KeyPrefix", "comms:tb:" + Guid.NewGuid().ToString("N"))));
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var deferred = await Poll.UntilAsync(async () =>
            (await MessagesAsync(limitedIds)).FirstOrDefault(m => m.Status == MessageStatus.Queued && m.LastError is not null), "a deferred message");
        Assert.StartsWith("COMMS_RATE_LIMITED: ", deferred.LastError, StringComparison.Ordinal);
        Assert.Contains("plan 'starter'", deferred.LastError, StringComparison.Ordinal);

        var sent = await Poll.UntilAsync(async () =>
        {
            var all = await MessagesAsync([.. limitedIds, .. freeIds]);
            return all.All(m => m.Status == MessageStatus.Sent) ? all : null;
        }, "every message to be sent");
        Assert.All(sent, m => Assert.Equal(1, m.Attempts));
        Assert.All(sent.Where(m => freeIds.Contains(m.Id)), m => Assert.Null(m.LastError));

        // The limited tenant's six went at 2 a second: 0.5 s apart (from the second on: the first send of a dispatcher
        // also fetches FCM's access token, so it reaches the fake later than its slot).
        var times = fcm.Hits.Where(h => limitedIds.Contains(h.MessageId)).Select(h => h.At).Order().ToList();
        Assert.Equal(6, times.Count);
        Assert.True(times[^1] - times[1] >= TimeSpan.FromSeconds(1.9), $"the last five at 2/s took {(times[^1] - times[1]).TotalSeconds:0.00} s");
    }

    private async Task<List<Message>> MessagesAsync(IReadOnlyCollection<Guid> ids)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id)).ToListAsync();
    }
}
