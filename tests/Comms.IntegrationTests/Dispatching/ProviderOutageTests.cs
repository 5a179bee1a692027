using System.Diagnostics.Metrics;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// The provider goes away for a while — first answering 503, then not answering at all (stopped), then back on the same
/// port: the breaker opens (metric and health entry say so), no message fails meanwhile, and afterwards every message
/// is delivered exactly once.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ProviderOutageTests(CommsFixture fixture)
{
    private const int Count = 60;

    [Fact]
    public async Task While_the_provider_is_down_the_breaker_opens_nothing_fails_and_afterwards_every_message_is_delivered_exactly_once()
    {
        using var fcm = new FakeFcm();
        using var states = new BreakerStates();
        var (tenant, ids) = await FakeFcm.QueueAsync(fixture, Count);
        await using var dispatcher = fixture.StartDispatcher(fcm.Settings(
            ("Comms:Providers:Fcm:RequestsPerSecond", "20"),
            ("Comms:Throttling:KeyPrefix", "comms:tb:" + Guid.NewGuid().ToString("N")),
            ("Comms:Throttling:Breaker:MinimumThroughput", "4"),
            ("Comms:Throttling:Breaker:SamplingDuration", "00:00:02"),
            ("Comms:Throttling:Breaker:BreakDuration", "00:00:01"),
            ("Comms:Dispatcher:MessageBatchSize", "10")));
        using var http = dispatcher.CreateClient();
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        await Poll.UntilAsync(() => Task.FromResult(fcm.Hits.Count(h => h.Status == 200) >= 10), "the first deliveries");
        fcm.Failing = true;
        await Poll.UntilAsync(() => Task.FromResult(states.Open("fcm")), "the fcm breaker to open (metric)");
        await Poll.UntilAsync(async () => await HealthAsync(http) == "Degraded", "the health entry to say Degraded");

        // Gone altogether for a while: probes after each break meet a refused connection.
        fcm.Stop();
        var stoppedAt = DateTime.UtcNow;
        await Poll.UntilAsync(async () => DateTime.UtcNow - stoppedAt > TimeSpan.FromSeconds(4) && await HealthAsync(http) == "Degraded",
            "four seconds of outage");
        Assert.Equal(0, await CountAsync(tenant.Id, MessageStatus.Failed));
        Assert.True(await CountAsync(tenant.Id, MessageStatus.Queued) > 0, "Some messages are still waiting");

        fcm.Failing = false;
        fcm.Restart();
        await Poll.UntilAsync(async () => await CountAsync(tenant.Id, MessageStatus.Sent) == Count, "every message to be sent", TimeSpan.FromSeconds(60));
        Assert.Equal(0, await CountAsync(tenant.Id, MessageStatus.Failed));
        await Poll.UntilAsync(async () => await HealthAsync(http) == "Healthy", "the breaker to close (health)");
        await Poll.UntilAsync(() => Task.FromResult(!states.Open("fcm")), "the breaker to close (metric)");

        var delivered = fcm.Hits.Where(h => h.Status == 200 && ids.Contains(h.MessageId)).GroupBy(h => h.MessageId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ids.Order(), delivered.Keys.Order());
        Assert.All(delivered, d => Assert.True(d.Value == 1, $"Message {d.Key} was delivered {d.Value} times"));
        Assert.Contains(fcm.Hits, h => h.Status == 503);
    }

    [Fact]
    public async Task Rejections_of_single_messages_fail_those_messages_and_never_open_the_breaker()
    {
        using var fcm = new FakeFcm { Rejecting = true };
        using var states = new BreakerStates();
        var (tenant, _) = await FakeFcm.QueueAsync(fixture, 12);
        await using var dispatcher = fixture.StartDispatcher(fcm.Settings(
            ("Comms:Throttling:Breaker:MinimumThroughput", "4"),
            ("Comms:Throttling:Breaker:SamplingDuration", "00:00:30")));
        using var http = dispatcher.CreateClient();
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        await Poll.UntilAsync(async () => await CountAsync(tenant.Id, MessageStatus.Failed) == 12, "every rejected message to fail");
        Assert.Equal(12, fcm.Hits.Count(h => h.Status == 400));
        Assert.False(states.Open("fcm"));
        // Healthy once warmed up (an open or half-open breaker would keep it Degraded: nothing is left to probe it).
        await Poll.UntilAsync(async () => await HealthAsync(http) == "Healthy", "the dispatcher to be healthy");
    }

    /// <summary>The dispatcher's <c>/health</c> word (Unhealthy answers 503 while it warms up).</summary>
    private static async Task<string> HealthAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/health");
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<int> CountAsync(string tenantId, string status)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Messages.CountAsync(m => m.TenantId == tenantId && m.Status == status);
    }

    /// <summary>Reads the gauge <c>comms.provider.breaker.state</c> (2 = open) of every dispatcher in this process.</summary>
    private sealed class BreakerStates : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _lock = new();
        private readonly List<(string Provider, int State)> _seen = [];

        public BreakerStates()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "comms.provider.breaker.state")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "provider")
                    {
                        lock (_lock)
                        {
                            _seen.Add(((string)tag.Value!, value));
                        }
                    }
                }
            });
            _listener.Start();
        }

        /// <summary>Whether the provider's breaker reports open right now.</summary>
        public bool Open(string provider)
        {
            lock (_lock)
            {
                _seen.Clear();
            }

            _listener.RecordObservableInstruments();
            lock (_lock)
            {
                return _seen.Any(s => s.Provider == provider && s.State == 2);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
