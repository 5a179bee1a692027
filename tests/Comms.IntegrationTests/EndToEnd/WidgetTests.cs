using Comms.Core.Messages;
using Comms.IntegrationTests.Inbox;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.EndToEnd;

/// <summary>
/// The embeddable inbox widget on a host product's page of another origin, in a real Chromium: one script tag from
/// Comms.Web, the API and the hub called cross-origin with the user's token, live, keyboard accessible, isolated from
/// the page's styles, and never a link that runs script.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class WidgetTests(CommsFixture fixture) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private ApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = ApiServer.Start(fixture.Settings);
        (_playwright, _browser) = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _api.DisposeAsync();
    }

    /// <summary>A host page with hostile styles of its own and the widget's one script tag.</summary>
    public static string HostHtml(string web, string api, string token) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Host product</title>
          <link rel="icon" href="data:,">
          <style>
            * { font-family: serif !important; color: rgb(0, 128, 0) !important; }
            button { background: rgb(255, 255, 204) !important; display: block !important; width: 300px !important; }
            li { display: none !important; }
          </style>
        </head>
        <body>
          <header><h1>Host product</h1>
            <script src="{{web}}/widget/inbox.js" data-token="{{token}}" data-api="{{api}}" data-hub="{{web}}/hubs/notifications"></script>
          </header>
          <main><p>The host's own page.</p><button type="button" id="host-button">Host button</button></main>
        </body>
        </html>
        """;

    [Fact]
    public async Task On_a_page_of_another_origin_the_widget_shows_the_badge_takes_live_items_reads_archives_and_never_links_script()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await InboxRows.AddAsync(fixture, tenant, "alice",
            new InboxRows.Row("Booking confirmed", Link: "/bookings/42"),
            new InboxRows.Row("Sneaky body", BodyHtml: """<p>See <a href="javascript:alert(1)">this</a> and <a href="https://example.test/ok">that</a><img src=x onerror="alert(2)"></p>"""));
        await using var host = await HostPage.StartAsync(HostHtml(fixture.Web.BaseUrl, _api.BaseUrl, tenant.UserToken("alice")));

        var page = await _browser.NewPageAsync();
        page.SetDefaultTimeout((float)Poll.DefaultTimeout.TotalMilliseconds);
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") { problems.Add(message.Text); } };
        page.PageError += (_, error) => problems.Add(error);
        page.Dialog += (_, dialog) => problems.Add("a dialog opened: " + dialog.Message);
        page.RequestFailed += (_, request) => problems.Add($"failed: {request.Method} {request.Url} {request.Failure}");
        await page.GotoAsync(host.Url);

        // The bell with its badge, in the widget's shadow root (Playwright's CSS locators pierce open shadow roots).
        var bell = page.Locator("button.bell");
        var badge = page.Locator("span.badge");
        await Assertions.Expect(badge).ToHaveTextAsync("2");
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", "Notifications, 2 unread");
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-expanded", "false");
        Assert.Equal(host.Origin, new Uri(page.Url).GetLeftPart(UriPartial.Authority));
        Assert.NotEqual(host.Origin, new Uri(_api.BaseUrl).GetLeftPart(UriPartial.Authority));

        // One global for the page (CommsInbox), no SignalR of its own; the host's styles do not reach inside.
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.CommsInbox?.mount === 'function' && typeof window.signalR === 'undefined' && typeof window.CommsInboxCore === 'undefined'"));
        Assert.Equal("rgb(255, 255, 255)", await bell.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        Assert.DoesNotContain("serif", (await bell.EvaluateAsync<string>("b => getComputedStyle(b).fontFamily")).Replace("sans-serif", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("rgb(255, 255, 204)", await page.Locator("#host-button").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));

        // Keyboard: Enter opens it and moves focus to the first row; arrows move between rows; Escape closes and returns to the bell.
        await bell.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-expanded", "true");
        var rows = page.Locator("li[data-id]");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToBeFocusedAsync();
        await Assertions.Expect(rows.Nth(1)).ToBeVisibleAsync(); // the host's "li { display: none !important }" stays outside
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(rows.Nth(1)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(rows.Nth(0)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(page.Locator(".panel")).ToBeHiddenAsync();
        await Assertions.Expect(bell).ToBeFocusedAsync();

        // Opening it saw everything (unseen 0) but read nothing.
        await Poll.UntilAsync(async () => await UnseenAsync(tenant) == 0, "the items to be seen");
        await Assertions.Expect(badge).ToHaveTextAsync("2");

        // Live: an item delivered now appears with the badge, without a reload; its javascript: link is only text.
        await bell.ClickAsync();
        await DirectQueue.QueueAsync(fixture, tenant, Channel.InApp,
            [("alice", new RenderedContent { Title = "Live one", Body = "", BodyHtml = "<p>Arrived live</p>", Link = "javascript:alert(document.domain)" })]);
        await DirectQueue.WakeAsync(fixture, Channel.InApp);
        await Assertions.Expect(badge).ToHaveTextAsync("3");
        var live = rows.Filter(new() { HasText = "Live one" });
        await Assertions.Expect(live).ToBeVisibleAsync();
        await Assertions.Expect(live).ToContainTextAsync("javascript:alert(document.domain)");
        await Assertions.Expect(page.Locator("a[href^='javascript' i]")).ToHaveCountAsync(0);
        await Assertions.Expect(rows.Filter(new() { HasText = "Booking confirmed" }).Locator("a")).ToHaveAttributeAsync("href", $"{host.Origin}/bookings/42");
        var sneaky = rows.Filter(new() { HasText = "Sneaky body" });
        await Assertions.Expect(sneaky.Locator("a")).ToHaveCountAsync(1);
        await Assertions.Expect(sneaky.Locator("a")).ToHaveAttributeAsync("href", "https://example.test/ok");
        await Assertions.Expect(sneaky.Locator("img")).ToHaveCountAsync(0);

        // No serious or critical accessibility violations, with the list open (axe-core looks into the shadow root).
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))})").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));

        // Mark read, archive, mark all read: the badge follows, and so does the database.
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark read: Live one" }).ClickAsync();
        await Assertions.Expect(badge).ToHaveTextAsync("2");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark unread: Live one" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Archive: Booking confirmed" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(badge).ToHaveTextAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark all read" }).ClickAsync();
        await Assertions.Expect(badge).ToBeHiddenAsync();
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", "Notifications");
        await using (var db = fixture.CreateDbContext())
        {
            var items = await db.InboxItems.AsNoTracking().Where(i => i.TenantId == tenant.Id).ToListAsync();
            Assert.Equal(3, items.Count);
            Assert.All(items, i => Assert.NotNull(i.ReadAt ?? i.ArchivedAt));
            Assert.NotNull(items.Single(i => i.Title == "Booking confirmed").ArchivedAt);
        }

        Assert.True(problems.Count == 0, "Browser errors:\n" + string.Join("\n", problems));
    }

    private async Task<int> UnseenAsync(TestTenant tenant)
    {
        await using var db = fixture.CreateDbContext();
        return await db.InboxItems.CountAsync(i => i.TenantId == tenant.Id && i.SeenAt == null);
    }
}
