using System.Globalization;
using Comms.Core.Messages;
using Comms.IntegrationTests.Inbox;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.EndToEnd;

/// <summary>
/// The notification center in a real Chromium, as users have it: open in two tabs and on a second device, which
/// stay right together, and a client that was cut off while items arrived catches up on all of them, once each.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class InboxSyncPageTests(CommsFixture fixture) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync() => (_playwright, _browser) = await Browser.LaunchAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task A_read_or_archive_in_one_tab_shows_at_once_in_the_other_tab_and_on_the_other_device()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await InboxRows.AddAsync(fixture, tenant, "alice", new InboxRows.Row("Invoice ready"), new InboxRows.Row("Booking confirmed"));
        var laptop = await _browser.NewContextAsync();
        var phone = await _browser.NewContextAsync(); // a second device: its own cookies, its own session
        var tabA = await SignedInAsync(laptop, tenant);
        var tabB = await laptop.NewPageAsync();
        Configure(tabB);
        await tabB.GotoAsync($"{fixture.Web.BaseUrl}/notifications");
        var device = await SignedInAsync(phone, tenant);
        foreach (var page in new[] { tabA, tabB, device })
        {
            await Assertions.Expect(page.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "live");
            await Assertions.Expect(page.GetByTestId("unread-badge")).ToHaveTextAsync("2");
        }

        await tabA.GetByRole(AriaRole.Button, new() { Name = "Mark read: Booking confirmed" }).ClickAsync();

        foreach (var page in new[] { tabB, device })
        {
            await Assertions.Expect(page.GetByTestId("unread-badge")).ToHaveTextAsync("1");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark unread: Booking confirmed" })).ToBeVisibleAsync();
        }

        await device.GetByRole(AriaRole.Button, new() { Name = "Archive: Invoice ready" }).ClickAsync();

        foreach (var page in new[] { tabA, tabB })
        {
            await Assertions.Expect(page.GetByTestId("notification-item")).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByTestId("notification-item")).ToContainTextAsync("Booking confirmed");
            await Assertions.Expect(page.GetByTestId("unread-badge")).ToBeHiddenAsync();
        }

        await laptop.DisposeAsync();
        await phone.DisposeAsync();
    }

    [Fact]
    public async Task A_client_cut_off_while_200_items_arrive_finds_all_200_once_after_it_reconnects()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "bob");
        await InboxRows.AddAsync(fixture, tenant, "bob", new InboxRows.Row("Before the cut"));
        var context = await _browser.NewContextAsync();

        // The network between this browser and the hub: while cut, open sockets are closed and new ones (and the
        // negotiation that precedes them) fail, as when a laptop sleeps or a train enters a tunnel.
        var cut = false;
        var sockets = new List<IWebSocketRoute>();
        await context.RouteWebSocketAsync("**/hubs/notifications**", socket =>
        {
            if (Volatile.Read(ref cut))
            {
                _ = socket.CloseAsync(new() { Code = 4000, Reason = "network cut" });
                return;
            }

            socket.ConnectToServer();
            lock (sockets)
            {
                sockets.Add(socket);
            }
        });
        await context.RouteAsync("**/hubs/notifications/negotiate**", route => Volatile.Read(ref cut) ? route.AbortAsync("internetdisconnected") : route.ContinueAsync());

        var page = await SignedInAsync(context, tenant, "bob");
        var state = page.GetByTestId("connection-state");
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(page.GetByTestId("notification-item")).ToHaveCountAsync(1);

        Volatile.Write(ref cut, true);
        IWebSocketRoute[] open;
        lock (sockets)
        {
            open = [.. sockets];
        }

        foreach (var socket in open)
        {
            await socket.CloseAsync(new() { Code = 4000, Reason = "network cut" });
        }

        await Assertions.Expect(state).Not.ToHaveAttributeAsync("data-state", "live");

        var contents = Enumerable.Range(1, 200).Select(i => ("bob", new RenderedContent
        {
            Title = "Missed " + i.ToString("000", CultureInfo.InvariantCulture), Body = "", BodyHtml = "<p>Sent while away</p>",
        })).ToList();
        await DirectQueue.QueueAsync(fixture, tenant, Channel.InApp, contents);
        await DirectQueue.WakeAsync(fixture, Channel.InApp);
        await Poll.UntilAsync(async () => await InboxCountAsync(tenant) == 201, "the 200 items to be delivered");
        Assert.Equal(1, await page.GetByTestId("notification-item").CountAsync()); // nothing reached the cut-off client

        Volatile.Write(ref cut, false);

        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("notification-item")).ToHaveCountAsync(201);
        var titles = await page.GetByTestId("notification-item").Locator("h2").AllInnerTextsAsync();
        var missed = titles.Where(t => t.StartsWith("Missed ", StringComparison.Ordinal)).ToList();
        Assert.Equal(200, missed.Count);
        Assert.Equal(200, missed.Distinct(StringComparer.Ordinal).Count());
        await Assertions.Expect(page.GetByTestId("unread-badge")).ToHaveTextAsync("201");
        await context.DisposeAsync();
    }

    private async Task<IPage> SignedInAsync(IBrowserContext context, TestTenant tenant, string user = "alice")
    {
        var page = await context.NewPageAsync();
        Configure(page);

        // The host product signs the user in: its page posts the user's token to /session/start.
        await page.SetContentAsync($"""
            <form method="post" action="{fixture.Web.BaseUrl}/session/start">
              <input type="hidden" name="token" value="{tenant.UserToken(user)}">
              <button>Notifications</button>
            </form>
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Notifications" }).ClickAsync();
        await page.WaitForURLAsync("**/notifications");
        return page;
    }

    private static void Configure(IPage page) => page.SetDefaultTimeout((float)Poll.DefaultTimeout.TotalMilliseconds);

    private async Task<int> InboxCountAsync(TestTenant tenant)
    {
        await using var db = fixture.CreateDbContext();
        return await db.InboxItems.CountAsync(i => i.TenantId == tenant.Id);
    }
}
