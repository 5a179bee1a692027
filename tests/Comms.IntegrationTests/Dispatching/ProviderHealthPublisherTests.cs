extern alias dispatcher;

using Comms.Core.Diagnostics;
using Comms.IntegrationTests.Infrastructure;
using dispatcher::Comms.Dispatcher;
using dispatcher::Comms.Dispatcher.Sending;
using dispatcher::Comms.Dispatcher.Throttling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// The dispatcher's provider health in Redis (<see cref="ProviderHealthPublisher"/>, read back by the console's
/// <see cref="ProviderHealthReader"/>): a breaker that opens is published at once (long before the next heartbeat),
/// with its attempts counted per provider; a dispatcher that stops removes its entries; one that dies (no more
/// heartbeats) sees them expire, while heartbeats keep them alive.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ProviderHealthPublisherTests(CommsFixture fixture)
{
    [Fact]
    public async Task An_opening_breaker_is_published_at_once_with_its_counts_and_a_stopping_dispatcher_removes_it()
    {
        var provider = "test-" + Guid.NewGuid().ToString("N")[..8];
        var (guards, publisher, id) = Create(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
        using (guards)
        using (publisher)
        {
            await publisher.StartAsync(CancellationToken.None);
            var reader = new ProviderHealthReader(fixture.RedisClient, TimeProvider.System);
            await guards.ExecuteAsync(provider, _ => Task.FromResult(200), Classify, _ => false, CancellationToken.None);
            await Assert.ThrowsAsync<ProviderHeldException>(async () =>
            {
                for (var i = 0; i < 10; i++)
                {
                    await guards.ExecuteAsync(provider, _ => Task.FromResult(503), Classify, _ => false, CancellationToken.None);
                }
            });

            // The heartbeat is a minute away: only the change itself can have published this within seconds.
            var open = await Poll.UntilAsync(async () => (await reader.BreakersAsync(CancellationToken.None))
                .FirstOrDefault(b => b.Dispatcher == id && b.Provider == provider && b.State == "open"), $"the {provider} breaker to be published open", TimeSpan.FromSeconds(10));
            Assert.Null(open.Target);
            Assert.Equal("transient failure", open.LastFailure);
            Assert.True(DateTimeOffset.UtcNow - open.Since < TimeSpan.FromMinutes(1));

            // A held send is counted too; the counts reach Redis with the next publication (here: stopping).
            await Assert.ThrowsAsync<ProviderHeldException>(() => guards.ExecuteAsync(provider, _ => Task.FromResult(200), Classify, _ => false, CancellationToken.None));
            await publisher.StopAsync(CancellationToken.None);

            Assert.DoesNotContain(await reader.BreakersAsync(CancellationToken.None), b => b.Dispatcher == id);
            Assert.False(await fixture.RedisClient.GetDatabase().KeyExistsAsync(ProviderHealthKeys.Breaker(id, provider, null)));
            var counts = Assert.Single(await reader.ThroughputAsync(2, CancellationToken.None), t => t.Provider == provider);
            Assert.Equal(1, counts.Accepted);
            Assert.True(counts.Failed >= 1, $"failed {counts.Failed}");
            Assert.True(counts.Held >= 1, $"held {counts.Held}");
            Assert.Equal(0, counts.Rejected);
        }
    }

    [Fact]
    public async Task Heartbeats_keep_a_breaker_published_and_without_them_its_entry_expires()
    {
        var provider = "test-" + Guid.NewGuid().ToString("N")[..8];
        var (guards, publisher, id) = Create(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(600));
        using (guards)
        using (publisher)
        {
            var reader = new ProviderHealthReader(fixture.RedisClient, TimeProvider.System);
            var key = ProviderHealthKeys.Breaker(id, provider, "hooks.example.test");
            guards.Breaker(provider, "hooks.example.test");

            // Beats (the loop's publications, made by hand) for twice the TTL: the entry stays, its TTL renewed each time.
            var until = DateTime.UtcNow.AddMilliseconds(1200);
            while (DateTime.UtcNow < until)
            {
                await publisher.PublishAsync(CancellationToken.None);
                var ttl = await fixture.RedisClient.GetDatabase().KeyTimeToLiveAsync(key);
                Assert.True(ttl is { } t && t > TimeSpan.Zero && t <= TimeSpan.FromMilliseconds(600), $"TTL {ttl}");
                var entry = Assert.Single(await reader.BreakersAsync(CancellationToken.None), b => b.Dispatcher == id);
                Assert.Equal(("closed", "hooks.example.test"), (entry.State, entry.Target));
                await Task.Delay(200);
            }

            // The dispatcher dies (no more beats, no shutdown): its entry expires and the console no longer lists it.
            await Poll.UntilAsync(async () => !(await reader.BreakersAsync(CancellationToken.None)).Any(b => b.Dispatcher == id)
                && !await fixture.RedisClient.GetDatabase().KeyExistsAsync(key), "the dead dispatcher's entry to expire", TimeSpan.FromSeconds(10));
        }
    }

    private static ProviderAnswer Classify(int status) => status >= 500 ? ProviderAnswer.Failed : ProviderAnswer.Accepted;

    private (ProviderGuards Guards, ProviderHealthPublisher Publisher, string Id) Create(TimeSpan interval, TimeSpan ttl)
    {
        var id = "health-test:" + Guid.NewGuid().ToString("N")[..8];
        var options = Options.Create(new ThrottlingOptions
        {
            HealthPublishInterval = interval,
            HealthTtl = ttl,
            Breaker = new BreakerOptions { MinimumThroughput = 2, FailureRatio = 0.5, SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromMinutes(1) },
        });
        var buckets = new TokenBuckets(fixture.RedisClient, options, TimeProvider.System, NullLogger<TokenBuckets>.Instance);
        var guards = new ProviderGuards(buckets, new ConfigurationBuilder().Build(), options, TimeProvider.System, NullLogger<ProviderGuards>.Instance);
        var identity = new DispatcherIdentity(Options.Create(new DispatcherOptions { InstanceId = id }));
        return (guards, new ProviderHealthPublisher(guards, fixture.RedisClient, identity, options, TimeProvider.System, NullLogger<ProviderHealthPublisher>.Instance), id);
    }
}
