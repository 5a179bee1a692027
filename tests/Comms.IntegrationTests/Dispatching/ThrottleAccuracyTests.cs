extern alias dispatcher;

using System.Globalization;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using Xunit.Abstractions;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// Throttle accuracy: three dispatcher replicas share FCM's token bucket in Redis, limited to 50 requests/s, with more
/// work queued than 20 s can send. The fake FCM counts the requests it received in each second of its own clock: never
/// more than 50 (+1 for clock edges), and on average at least 95% of 50.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ThrottleAccuracyTests(CommsFixture fixture, ITestOutputHelper output)
{
    private const int Rate = 50;
    private const int Seconds = 20;

    [Fact]
    public async Task Three_replicas_together_send_at_the_provider_rate_and_never_above_it()
    {
        // The fake provider shares this process (and its thread pool) with the dispatchers, the API and the Web on a
        // machine with 2 cores running other builds: a starved pool would delay requests between their admission and
        // the fake's clock, and so move them from one measured second to the next. Threads are made on demand instead.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
        using var fcm = new FakeFcm();
        // Enough for the warm-up, the measured 20 s and more: the queue never runs dry while we measure.
        var (tenant, queued) = await FakeFcm.QueueAsync(fixture, Rate * (Seconds + 8));
        var ids = queued.ToHashSet();
        var settings = fcm.Settings(
            ("Comms:Providers:Fcm:RequestsPerSecond", Rate.ToString(CultureInfo.InvariantCulture)),
            ("Comms:Throttling:KeyPrefix", "comms:tb:" + Guid.NewGuid().ToString("N")),
            ("Comms:Dispatcher:MessageBatchSize", "40"));
        var replicas = new[] { fixture.StartDispatcher(settings), fixture.StartDispatcher(settings), fixture.StartDispatcher(settings) };
        try
        {
            await DirectQueue.WakeAsync(fixture, Channel.Push);

            // One second to warm up from the first request, then the 20 measured whole seconds, then one more.
            var first = await Poll.UntilAsync(() => Task.FromResult(fcm.Hits.Count > 0 ? (DateTime?)fcm.Hits.Min(h => h.At) : null), "the first FCM request");
            var start = Truncate(first!.Value) + TimeSpan.FromSeconds(2);
            var end = start + TimeSpan.FromSeconds(Seconds);
            await Poll.UntilAsync(() => Task.FromResult(fcm.Hits.Any(h => h.At >= end)), "20 measured seconds of requests", TimeSpan.FromSeconds(Seconds + 30));

            var hits = fcm.Hits.Where(h => ids.Contains(h.MessageId)).ToList();
            var perSecond = Enumerable.Range(0, Seconds)
                .Select(s => hits.Count(h => h.At >= start.AddSeconds(s) && h.At < start.AddSeconds(s + 1)))
                .ToList();
            var average = perSecond.Average();
            output.WriteLine($"Requests per second over {Seconds} s: {string.Join(' ', perSecond)}; max {perSecond.Max()}, min {perSecond.Min()}, average {average:0.00} ({average / Rate:P1} of {Rate})");

            Assert.All(perSecond, count => Assert.True(count <= Rate + 1, $"{count} requests in one second: {string.Join(' ', perSecond)}"));
            Assert.True(average >= 0.95 * Rate, $"On average {average:0.00} requests a second: {string.Join(' ', perSecond)}");
            Assert.Equal(hits.Count, hits.Select(h => h.MessageId).Distinct().Count());
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }

            await FakeFcm.CancelQueuedAsync(fixture, tenant.Id);
        }
    }

    private static DateTime Truncate(DateTime at) => new(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), at.Kind);
}
