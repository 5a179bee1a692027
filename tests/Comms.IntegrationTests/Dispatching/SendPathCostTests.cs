extern alias dispatcher;

using System.Reflection;
using dispatcher::Comms.Dispatcher.Sending;
using dispatcher::Comms.Dispatcher.Throttling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// What the sending path costs per message: a provider without a configured rate (SMTP by default) passes its guards
/// without asking Redis, and a send's slot is free while its "sent" mark is still being written.
/// </summary>
public sealed class SendPathCostTests
{
    [Fact]
    public async Task A_provider_without_a_rate_passes_its_guards_without_asking_redis()
    {
        var (guards, redis) = Guards(new Dictionary<string, string?>());
        using (guards)
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(i, await guards.ExecuteAsync("smtp", _ => Task.FromResult(i), _ => false, _ => false, CancellationToken.None));
            }

            Assert.Empty(redis.Calls);
            Assert.Null(guards.RateOf("smtp"));
        }
    }

    [Fact]
    public async Task A_provider_with_a_rate_asks_redis_for_each_send()
    {
        // The control of the test above: the recording multiplexer does see the bucket's calls (and, as Redis is
        // "away", the send goes on through the in-process bucket).
        var (guards, redis) = Guards(new Dictionary<string, string?> { ["Comms:Providers:smtp:RequestsPerSecond"] = "1000" });
        using (guards)
        {
            Assert.Equal(7, await guards.ExecuteAsync("smtp", _ => Task.FromResult(7), _ => false, _ => false, CancellationToken.None));
            Assert.NotEmpty(redis.Calls);
        }
    }

    [Fact]
    public async Task A_send_slot_is_free_while_its_mark_is_written_and_the_round_waits_for_every_mark()
    {
        using var records = new PendingRecords(limit: 2, CancellationToken.None);
        var first = new TaskCompletionSource();
        var second = new TaskCompletionSource();
        var after = 0;

        await records.AddAsync(_ => first.Task, () => Interlocked.Increment(ref after), CancellationToken.None);
        await records.AddAsync(_ => second.Task, () => Interlocked.Increment(ref after), CancellationToken.None);

        // Two marks are being written: the third send must wait for one of them (a bounded number waits at once).
        var third = records.AddAsync(_ => Task.CompletedTask, () => Interlocked.Increment(ref after), CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        var all = records.WhenAllAsync();
        Assert.False(all.IsCompleted);

        first.SetResult();
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        second.SetResult();
        await records.WhenAllAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, Volatile.Read(ref after));
    }

    [Fact]
    public async Task A_failed_mark_stops_the_rounds_sends_and_is_rethrown()
    {
        using var records = new PendingRecords(limit: 4, CancellationToken.None);
        await records.AddAsync(_ => Task.FromException(new InvalidOperationException("database away")), () => { }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(records.WhenAllAsync);
        Assert.Equal("database away", error.Message);
        Assert.True(records.SendsToken.IsCancellationRequested);
    }

    private static (ProviderGuards Guards, RecordingRedis Redis) Guards(Dictionary<string, string?> settings)
    {
        var redis = DispatchProxy.Create<IConnectionMultiplexer, RecordingRedis>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = Options.Create(new ThrottlingOptions());
        var buckets = new TokenBuckets(redis, options, TimeProvider.System, NullLogger<TokenBuckets>.Instance);
        return (new ProviderGuards(buckets, configuration, options, TimeProvider.System, NullLogger<ProviderGuards>.Instance), (RecordingRedis)(object)redis);
    }

    /// <summary>A Redis that records every call made to it and is "away" (each call fails as an unreachable Redis does).</summary>
    public class RecordingRedis : DispatchProxy
    {
        public List<string> Calls { get; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            lock (Calls)
            {
                Calls.Add(targetMethod?.Name ?? "?");
            }

            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "recording Redis: not reachable");
        }
    }
}
