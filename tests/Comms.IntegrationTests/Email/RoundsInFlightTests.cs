using System.Collections.Concurrent;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Comms.IntegrationTests.Email.SendGridWorld;

namespace Comms.IntegrationTests.Email;

/// <summary>
/// A batch sender's rounds overlap (<c>Comms:Dispatcher:Channels:email:RoundsInFlight</c>, default 2): the next claimed
/// batch's SendGrid requests start while the previous batch's requests are still unanswered, so the provider's request
/// pipe does not empty between two batches; every email is still sent exactly once.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class RoundsInFlightTests(CommsFixture fixture)
{
    [Fact]
    public async Task The_next_batch_is_sent_while_the_previous_batch_is_still_unanswered_and_nothing_is_sent_twice()
    {
        using var gate = new ManualResetEventSlim();
        var arrived = 0;
        var answered = 0;
        var personalizations = new ConcurrentBag<string>();
        using var sendGrid = WireMockServer.Start();
        sendGrid.Given(Request.Create().WithPath(SendPath).UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            using (var body = JsonDocument.Parse(request.Body!))
            {
                foreach (var personalization in body.RootElement.GetProperty("personalizations").EnumerateArray())
                {
                    personalizations.Add(personalization.GetProperty("custom_args").GetProperty("comms_message_id").GetString()!);
                }
            }

            Interlocked.Increment(ref arrived);
            gate.Wait(TimeSpan.FromSeconds(30)); // no answer until the test has looked
            Interlocked.Increment(ref answered);
            var accepted = new ResponseMessage { StatusCode = 202 };
            accepted.AddHeader("X-Message-Id", "sg-" + Guid.NewGuid().ToString("N")[..22]);
            return accepted;
        }));
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        var ids = await world.QueueAsync(tenant, Enumerable.Range(0, 8).Select(i => ($"inflight{i}@example.test", Mail($"In flight {i}", $"Hello {i}."))));
        var settings = world.Settings(sendGrid);
        settings["Comms:Dispatcher:Channels:email:BatchSize"] = "2"; // a round: 2 emails,
        settings["Comms:Providers:SendGrid:MaxPersonalizationsPerRequest"] = "1"; // 2 requests

        await using (fixture.StartDispatcher(settings))
        {
            try
            {
                // One round holds 2 requests: a third arriving while none was answered is the next round's.
                await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref arrived) >= 3), "the next batch's first request while the previous batch is unanswered");
                Assert.Equal(0, Volatile.Read(ref answered));
                Assert.True(Volatile.Read(ref arrived) <= 4, "at most two rounds in flight");
            }
            finally
            {
                gate.Set();
            }

            var messages = await world.WaitForAllFinalAsync(ids);
            Assert.All(messages, m => Assert.Equal(MessageStatus.Sent, m.Status));
            Assert.All(messages, m => Assert.Equal(1, m.Attempts));
        }

        // Exactly once on the wire: every email in one personalization of one request.
        Assert.Equal(ids.Select(id => id.ToString()).Order(), personalizations.Order());
    }
}
