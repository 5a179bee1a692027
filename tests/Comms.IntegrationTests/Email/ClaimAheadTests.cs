using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Comms.IntegrationTests.Email.SendGridWorld;
using static Comms.IntegrationTests.Push.PushWorld;

namespace Comms.IntegrationTests.Email;

/// <summary>
/// A sending loop whose claim came back full claims its next batch while the current one is being sent (the claim
/// overlaps the sends instead of following them), under the next batch's own lease; every email is still sent once.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ClaimAheadTests(CommsFixture fixture)
{
    [Fact]
    public async Task After_a_full_claim_the_next_batch_is_claimed_while_the_first_is_being_sent()
    {
        using var gate = new ManualResetEventSlim();
        var arrived = 0;
        using var sendGrid = WireMockServer.Start();
        sendGrid.Given(Request.Create().WithPath(SendPath).UsingPost()).RespondWith(Response.Create().WithCallback(_ =>
        {
            Interlocked.Increment(ref arrived); // WireMock logs a request only once it is answered
            gate.Wait(TimeSpan.FromSeconds(30)); // SendGrid is slow to answer until the test has looked
            var accepted = new ResponseMessage { StatusCode = 202 };
            accepted.AddHeader("X-Message-Id", "sg-" + Guid.NewGuid().ToString("N")[..22]);
            return accepted;
        }));
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        var ids = await world.QueueAsync(tenant, Enumerable.Range(0, 6).Select(i => ($"ahead{i}@example.test", Mail($"Ahead {i}"))));
        var settings = world.Settings(sendGrid);
        settings["Comms:Dispatcher:Channels:email:BatchSize"] = "2";
        settings["Comms:Dispatcher:Channels:email:RoundsInFlight"] = "1"; // the claim ahead alone (RoundsInFlightTests: rounds overlapping)

        await using (fixture.StartDispatcher(settings))
        {
            try
            {
                // The first batch's request is in flight; the next batch of 2 is leased meanwhile (4 leased, not 2).
                await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref arrived) >= 1), "the first SendGrid request");
                await Poll.UntilAsync(async () =>
                {
                    await using var db = world.Db();
                    return await db.Messages.CountAsync(m => ids.Contains(m.Id) && m.Status == MessageStatus.Queued && m.ClaimToken != null) == 4;
                }, "the next batch to be claimed while the first is being sent");
            }
            finally
            {
                gate.Set();
            }

            var messages = await world.WaitForAllFinalAsync(ids);
            Assert.All(messages, m => Assert.Equal(MessageStatus.Sent, m.Status));
            Assert.All(messages, m => Assert.Equal(1, m.Attempts));
            Assert.Equal(3, Requests(sendGrid, SendPath).Count); // each email once, two a request
        }
    }
}
