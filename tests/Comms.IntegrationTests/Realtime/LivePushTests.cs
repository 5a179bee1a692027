using System.Net.Http.Json;
using System.Threading.Channels;
using Comms.Core.Inbox;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Realtime;

/// <summary>The hub on Comms.Web receives what the dispatcher publishes through the Redis backplane.</summary>
[Collection(CommsCollection.Name)]
public sealed class LivePushTests(CommsFixture fixture)
{
    private async Task<(HubConnection Connection, Channel<InboxItemView> Items, Channel<UnreadCounts> Counts)> ConnectAsync(string tenant, string user)
    {
        var items = Channel.CreateUnbounded<InboxItemView>();
        var counts = Channel.CreateUnbounded<UnreadCounts>();
        var connection = new HubConnectionBuilder()
            .WithUrl($"{fixture.Web.BaseUrl}/hubs/notifications", options => options.AccessTokenProvider = () => Task.FromResult<string?>(fixture.UserToken(tenant, user)))
            .Build();
        connection.On<InboxItemView>("notificationReceived", item => items.Writer.TryWrite(item));
        connection.On<UnreadCounts>("unreadCountChanged", c => counts.Writer.TryWrite(c));
        await connection.StartAsync();
        return (connection, items, counts);
    }

    [Fact]
    public async Task A_new_item_and_the_unread_count_are_pushed_to_the_users_connections_only()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        var (alice, aliceItems, aliceCounts) = await ConnectAsync(tenant.Id, "alice");
        var (secondTab, secondTabItems, _) = await ConnectAsync(tenant.Id, "alice");
        var (bob, bobItems, _) = await ConnectAsync(tenant.Id, "bob");
        await using var _1 = alice;
        await using var _2 = secondTab;
        await using var _3 = bob;

        var posted = await tenant.ApiClient().PostAsJsonAsync("/v1/events", new
        {
            name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "live:1", payload = new { name = "Alice" },
        });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, posted.StatusCode);

        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        var item = await aliceItems.Reader.ReadAsync(timeout.Token);
        Assert.Equal("Welcome, Alice!", item.Title);
        var counts = await aliceCounts.Reader.ReadAsync(timeout.Token);
        Assert.Equal((1, 1), (counts.Unread, counts.Unseen));
        Assert.Equal(item.Id, (await secondTabItems.Reader.ReadAsync(timeout.Token)).Id);

        // Bob is connected to the same hub and tenant, and gets nothing: by the time alice's
        // second tab has its push, a push to bob would have been delivered too.
        Assert.False(bobItems.Reader.TryRead(out _));
    }

    [Fact]
    public async Task The_warm_up_pushes_reach_no_connection()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "warm-up");
        var (user, items, counts) = await ConnectAsync(tenant.Id, "warm-up");
        await using var _ = user;
        var pushes = fixture.Dispatcher.Services.GetRequiredService<Comms.Realtime.LivePushes>();

        await pushes.WarmUpAsync(DateTimeOffset.UtcNow);
        var posted = await tenant.ApiClient().PostAsJsonAsync("/v1/events", new
        {
            name = TestTenant.WelcomeEvent, recipients = new[] { "warm-up" }, causeRef = "live:warm-up", payload = new { name = "Real" },
        });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, posted.StatusCode);

        // Pushes through the backplane arrive in order: had the warm-up's reached this user, it would come first.
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        Assert.Equal("Welcome, Real!", (await items.Reader.ReadAsync(timeout.Token)).Title);
        Assert.Equal(1, (await counts.Reader.ReadAsync(timeout.Token)).Unread);
    }

    [Fact]
    public async Task The_hub_refuses_connections_without_a_valid_token()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl($"{fixture.Web.BaseUrl}/hubs/notifications", options => options.AccessTokenProvider = () => Task.FromResult<string?>("not-a-token"))
            .Build();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }
}
