using Comms.Core.Messages;
using Comms.IntegrationTests.Email;
using Comms.IntegrationTests.Infrastructure;
using Npgsql;
using static Comms.IntegrationTests.Email.SendGridWorld;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// A claim's lease heartbeat (one statement over every message still held) and the "sent" marks of the same claim
/// (group-committed, in whatever order the sends finished) update the same rows at the same time: both lock them in
/// id order, so they never deadlock (a deadlock failed the marks of messages already sent, which were then sent again).
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class LeaseLockOrderTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_heartbeat_and_the_marks_of_the_same_claim_never_deadlock()
    {
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        await using var dataSource = NpgsqlDataSource.Create(world.ConnectionString);
        var queue = new MessageQueue(dataSource, TimeProvider.System);
        for (var round = 0; round < 4; round++)
        {
            await world.QueueAsync(tenant, Enumerable.Range(0, 1500).Select(i => ($"lock{round}-{i}@example.test", Mail("Locks"))));
            var claimed = await queue.ClaimAsync([Channel.Email], "lock-order-test", 1500, TimeSpan.FromMinutes(1), CancellationToken.None);
            Assert.Equal(1500, claimed.Count);

            // The heartbeat lists the claims in one order, the marks come in the opposite one, as sends finish.
            var heartbeat = claimed.Select(m => m.Claim).ToList();
            var marks = claimed.Reverse().Select(m => new SentMark(m.Claim, null, null)).ToList();
            var extended = queue.ExtendLeasesAsync(heartbeat, TimeSpan.FromMinutes(1), CancellationToken.None);
            var sent = queue.MarkSentManyAsync(marks, CancellationToken.None);
            await Task.WhenAll(extended, sent); // a deadlock fails one of them (40P01)

            Assert.Equal(1500, (await sent).Count); // every mark written, whichever statement went first
        }
    }
}
