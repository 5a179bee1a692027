using System.Diagnostics;
using Comms.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace Comms.ReliabilityTests.Faults;

/// <summary>
/// What callers get while a backing service is away: with Redis frozen, <c>/health</c> says Degraded at once and a
/// mark-read answers and sticks; with PostgreSQL down, 503 problem details, and the API reconnects by itself.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class OutageAnswerTests(FaultServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task While_Redis_is_frozen_health_says_degraded_and_mark_read_answers_and_sticks()
    {
        await using var api = await servers.StartApiAsync();
        await using var dispatcher = servers.Dispatcher("dispatcher-m", DispatcherKillTests.Leases);
        dispatcher.Start();
        var tenant = await OutageTenant.CreateAsync(api);
        await dispatcher.WaitAliveAsync();
        await tenant.PostAsync(0);
        var item = await Poll.UntilAsync(async () =>
        {
            await using var command = servers.DataSource.CreateCommand("SELECT id FROM inbox_items WHERE tenant_id = @t");
            command.Parameters.AddWithValue("t", tenant.Id);
            return await command.ExecuteScalarAsync() as Guid?;
        }, "the first notification");

        using var quick = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(5) };
        servers.Redis.Pause();
        string health;
        ProbeResult marked;
        var watch = Stopwatch.StartNew();
        try
        {
            health = await OutageTenant.StatusAsync(quick, "/health");
            watch.Restart();
            marked = await OutageTenant.SendAsync(tenant.User, HttpMethod.Post, $"/me/notifications/{item}/read", null);
            output.WriteLine($"/health: {health}\nmark read: {marked} in {watch.Elapsed.TotalMilliseconds:0} ms");
        }
        finally
        {
            servers.Redis.Resume();
        }

        Assert.Equal("200 Degraded", health);
        Assert.Equal(200, marked.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"mark-read took {watch.Elapsed.TotalMilliseconds:0} ms with Redis frozen");
        Assert.Equal(1, await servers.ScalarAsync("SELECT count(*) FROM inbox_items WHERE tenant_id = @t AND read_at IS NOT NULL", tenant.Id));
    }

    [Fact]
    public async Task While_PostgreSQL_is_down_the_API_answers_503_problem_details_and_recovers_by_itself()
    {
        await using var api = await servers.StartApiAsync();
        var tenant = await OutageTenant.CreateAsync(api);
        await servers.Postgres.StopAsync();
        ProbeResult posted, listed;
        try
        {
            posted = await OutageTenant.SendAsync(tenant.Client, HttpMethod.Post, "/v1/events", OutageTenant.Event(1));
            listed = await OutageTenant.SendAsync(tenant.User, HttpMethod.Get, "/me/notifications", null);
            output.WriteLine($"{posted}\n{listed}");
        }
        finally
        {
            await servers.Postgres.StartAsync();
            servers.DataSource.Clear();
        }

        Assert.Equal((503, "application/problem+json"), (posted.Status, posted.MediaType));
        Assert.StartsWith("COMMS_", posted.ProblemType);
        Assert.Equal((503, "application/problem+json"), (listed.Status, listed.MediaType));
        await Poll.UntilAsync(async () => (await OutageTenant.SendAsync(tenant.Client, HttpMethod.Post, "/v1/events", OutageTenant.Event(2))).Status == 202,
            "the API to reconnect to PostgreSQL by itself", TimeSpan.FromSeconds(15));
    }
}
