using System.Diagnostics;
using Comms.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace Comms.ReliabilityTests.Faults;

/// <summary>What callers see while Redis is frozen (SIGSTOP: connections stay open, nothing answers).</summary>
[Collection(FaultCollection.Name)]
public sealed class RedisFreezeTests(FaultServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task While_Redis_is_frozen_events_are_taken_at_once_delivered_by_the_poll_and_read_back()
    {
        await using var api = await servers.StartApiAsync();
        await using var dispatcher = servers.Dispatcher("dispatcher-r", DispatcherKillTests.Leases);
        dispatcher.Start();
        var tenant = await OutageTenant.CreateAsync(api);
        await dispatcher.WaitAliveAsync();
        await tenant.PostAsync(0);
        await Poll.UntilAsync(async () => await servers.ScalarAsync("SELECT count(*) FROM inbox_items WHERE tenant_id = @t", tenant.Id) == 1, "the first notification");

        using var quick = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(5) };
        servers.Redis.Pause();
        var answers = new List<string>();
        var slowest = TimeSpan.Zero;
        try
        {
            answers.Add($"/alive {await OutageTenant.StatusAsync(quick, "/alive")}");
            for (var i = 1; i <= 10; i++)
            {
                var watch = Stopwatch.StartNew();
                var status = await tenant.PostAsync(i);
                slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
                answers.Add($"event {i}: {status} in {watch.Elapsed.TotalMilliseconds:0} ms");
            }

            // No wake-up can arrive through Redis: the dispatcher's poll finds the events, and it sends without Redis.
            var frozen = Stopwatch.StartNew();
            await Poll.UntilAsync(async () => await servers.ScalarAsync("SELECT count(*) FROM inbox_items WHERE tenant_id = @t", tenant.Id) == 11,
                "the events of the freeze to be delivered while Redis is still frozen", TimeSpan.FromSeconds(15));
            answers.Add($"delivered while frozen within {frozen.Elapsed.TotalSeconds:0.0} s");
            answers.Add($"list: {(await OutageTenant.SendAsync(tenant.User, HttpMethod.Get, "/me/notifications", null)).Status}");
        }
        finally
        {
            servers.Redis.Resume();
            output.WriteLine(string.Join('\n', answers));
        }

        Assert.Equal("/alive 200 Healthy", answers[0]);
        Assert.All(answers.Where(a => a.StartsWith("event", StringComparison.Ordinal)), a => Assert.Contains(": 202 in", a, StringComparison.Ordinal));
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"intake took {slowest.TotalMilliseconds:0} ms with Redis frozen");
        Assert.Equal("list: 200", answers[^1]);
    }
}
