using System.Net.Http.Json;
using System.Threading.Channels;
using Comms.Core.Inbox;
using Comms.IntegrationTests.Inbox;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Comms.IntegrationTests.Realtime;

/// <summary>
/// Two devices of one user stay right: every change made on one (through the API) reaches the other's hub connection
/// at once — the item's new state (<c>notificationChanged</c>) and the counts (<c>unreadCountChanged</c>) — and a
/// delivery names the item before it, so a client can see a gap.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class InboxSyncTests(CommsFixture fixture)
{
    private sealed record Device(HubConnection Connection, Channel<InboxItemView> Items, Channel<NotificationChange> Changes, Channel<UnreadCounts> Counts)
        : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    private async Task<Device> ConnectAsync(TestTenant tenant, string user)
    {
        var device = new Device(
            new HubConnectionBuilder()
                .WithUrl($"{fixture.Web.BaseUrl}/hubs/notifications", o => o.AccessTokenProvider = () => Task.FromResult<string?>(tenant.UserToken(user)))
                .Build(),
            Channel.CreateUnbounded<InboxItemView>(), Channel.CreateUnbounded<NotificationChange>(), Channel.CreateUnbounded<UnreadCounts>());
        device.Connection.On<InboxItemView>("notificationReceived", item => device.Items.Writer.TryWrite(item));
        device.Connection.On<NotificationChange>("notificationChanged", change => device.Changes.Writer.TryWrite(change));
        device.Connection.On<UnreadCounts>("unreadCountChanged", counts => device.Counts.Writer.TryWrite(counts));
        await device.Connection.StartAsync();
        return device;
    }

    private static async Task<T> NextAsync<T>(Channel<T> channel)
    {
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        return await channel.Reader.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task A_change_on_one_device_reaches_the_other_devices_of_the_user_only()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        var ids = await InboxRows.AddAsync(fixture, tenant, "alice", new InboxRows.Row("one", Category: "booking"), new InboxRows.Row("two"));
        await using var phone = await ConnectAsync(tenant, "alice");
        await using var laptop = await ConnectAsync(tenant, "alice");
        await using var bob = await ConnectAsync(tenant, "bob");
        var api = tenant.UserClient("alice");

        foreach (var (action, check) in new (string, Func<InboxItemView, bool>)[]
        {
            ("read", i => i.ReadAt is not null), ("unread", i => i.ReadAt is null),
            ("archive", i => i.ArchivedAt is not null), ("unarchive", i => i.ArchivedAt is null),
        })
        {
            var answer = await (await api.PostAsync($"/me/notifications/{ids[0]}/{action}", null)).Content.ReadFromJsonAsync<InboxItemChanged>();
            foreach (var device in new[] { phone, laptop })
            {
                var change = await NextAsync(device.Changes);
                Assert.Equal((action, ids[0]), (change.Change, change.Id!.Value));
                Assert.True(check(change.Notification!), $"{action}: {change.Notification}");
                Assert.Equal(answer!.ChangedAt, change.At);
                var counts = await NextAsync(device.Counts);
                Assert.Equal((answer.Unread, answer.Unseen, answer.AsOf), (counts.Unread, counts.Unseen, counts.AsOf));
            }
        }

        await api.PostAsync("/me/notifications/read-all?category=booking", null);
        await api.PostAsync("/me/notifications/read-all", null);
        var readAll = await NextAsync(laptop.Changes);
        Assert.Equal((NotificationChange.ReadAll, "booking"), (readAll.Change, readAll.Category));
        Assert.Equal(NotificationChange.ReadAll, (await NextAsync(laptop.Changes)).Change);
        Assert.Equal(1, (await NextAsync(laptop.Counts)).Unread);
        var afterAll = await NextAsync(laptop.Counts);
        Assert.Equal(0, afterAll.Unread);

        await api.PostAsync("/me/notifications/seen", null);
        // The phone's counts after both read-alls, then after seen.
        await NextAsync(phone.Counts);
        await NextAsync(phone.Counts);
        var seen = await NextAsync(phone.Counts);
        Assert.Equal((0, 0), (seen.Unread, seen.Unseen));

        // Bob, connected to the same hub and tenant, heard nothing of it.
        Assert.False(bob.Changes.Reader.TryRead(out _));
        Assert.False(bob.Counts.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Each_pushed_item_names_the_one_before_it()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await using var device = await ConnectAsync(tenant, "alice");

        for (var i = 1; i <= 3; i++)
        {
            await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = $"chain:{i}", payload = new { name = $"A{i}" } });
            var counts = await NextAsync(device.Counts);
            Assert.Equal(i, counts.Unread);
        }

        var pushed = new[] { await NextAsync(device.Items), await NextAsync(device.Items), await NextAsync(device.Items) };
        Assert.Equal(InboxCursor.Start, pushed[0].PreviousCursor);
        Assert.Equal(pushed[0].Cursor, pushed[1].PreviousCursor);
        Assert.Equal(pushed[1].Cursor, pushed[2].PreviousCursor);
    }
}
