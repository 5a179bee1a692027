using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// Banners in the console, in Chromium: a template is written with its Markdown preview, activated for this test's tenant
/// now, and a signed-in end user of that tenant sees it appear live in the notification center; ended from the list, it
/// disappears live. Every write is audited as the operator; an operator without SysOperator is refused the pages.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleBannersTests(CommsFixture fixture) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly List<string> _problems = [];

    public async Task InitializeAsync()
    {
        await fixture.SeedDemoAsync();
        (_playwright, _browser) = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task A_template_is_activated_for_a_tenant_seen_live_by_its_user_and_ended()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var title = $"Planned maintenance {Guid.NewGuid():N}";

        // The end user has the notification center open, with no banner of ours.
        var user = await UserPageAsync(tenant, "alice");
        await Assertions.Expect(user.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "live");
        var banner = user.GetByTestId("banner").Filter(new() { HasText = title });
        await Assertions.Expect(banner).ToHaveCountAsync(0);

        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/banners");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/banners");
        await ConsolePages.AssertAccessibleAsync(page);

        // A new template: refused next to its fields, then saved; the preview renders the Markdown.
        await page.GetByRole(AriaRole.Link, new() { Name = "New template" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save template" }).ClickAsync();
        await Assertions.Expect(page.Locator("#title-error")).ToContainTextAsync("title is required");
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Severity").SelectOptionAsync("warning");
        await page.GetByLabel("Body (Markdown)").FillAsync("We restart the **database** on Sunday at 02:00 UTC.");
        await Assertions.Expect(page.GetByTestId("banner-preview").Locator("strong")).ToHaveTextAsync("database");
        await page.GetByLabel("Link (optional, http or https)").FillAsync("https://status.example.test/");
        await ConsolePages.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save template" }).ClickAsync();
        await page.WaitForURLAsync("**/admin/banners/templates/*?done=created");
        var templateId = Guid.Parse(new Uri(page.Url).AbsolutePath.Split('/')[^1]);
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The template is saved.");

        // Activated now for this test's tenant only (a banner to every tenant would reach the other tests' users).
        await page.GetByRole(AriaRole.Link, new() { Name = "Activate" }).ClickAsync();
        await page.GetByLabel("Tenants (comma-separated ids; blank = all)").FillAsync(tenant.Id);
        await ConsolePages.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The activation is saved.");
        var activationId = Guid.Parse(new Uri(page.Url).AbsolutePath.Split('/')[^1]);

        // Live in the user's notification center, without a reload.
        await Assertions.Expect(banner).ToHaveCountAsync(1);
        await Assertions.Expect(banner.Locator("strong")).ToHaveTextAsync("database");
        await Assertions.Expect(banner).ToHaveAttributeAsync("data-kind", "maintenance");
        await ConsolePages.AssertAccessibleAsync(user);

        // Edited: an end tomorrow (the user still sees it).
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await page.GetByLabel("Ends (UTC; blank = until ended)").FillAsync(tomorrow);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save activation" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The activation is saved.");
        await Assertions.Expect(page.GetByLabel("Ends (UTC; blank = until ended)")).ToHaveValueAsync(tomorrow);
        await Assertions.Expect(banner).ToHaveCountAsync(1);

        // The list shows it active; End now ends it, and it disappears from the user's page.
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/banners?kind=maintenance");
        await Assertions.Expect(page.GetByTestId("banner-template-row").Filter(new() { HasText = title })).ToHaveCountAsync(1);
        var row = page.GetByTestId("banner-activation-row").Filter(new() { HasText = title });
        await Assertions.Expect(row.GetByTestId("activation-state")).ToHaveTextAsync("active");
        await ConsolePages.AssertAccessibleAsync(page);
        await row.GetByRole(AriaRole.Button, new() { Name = "End now" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The activation is ended.");
        await Assertions.Expect(page.GetByTestId("banner-activation-row").Filter(new() { HasText = title }).GetByTestId("activation-state")).ToHaveTextAsync("ended");
        await Assertions.Expect(banner).ToHaveCountAsync(0);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var db = fixture.CreateDbContext();
        var rows = await db.AuditLog.AsNoTracking()
            .Where(a => a.Target == "banner_template:" + templateId || a.Target == "banner_activation:" + activationId).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["sys.banner_template.created", "sys.banner_activation.created", "sys.banner_activation.updated", "sys.banner_activation.updated"],
            rows.Select(a => a.Action));
        Assert.All(rows, a => Assert.StartsWith("operator:", a.Actor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_operator_without_SysOperator_is_refused_the_banner_pages()
    {
        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Banners" })).ToHaveCountAsync(0);
        foreach (var path in new[] { "/admin/banners", "/admin/banners/templates", "/admin/banners/activations" })
        {
            var refused = await page.GotoAsync(fixture.Web.BaseUrl + path);
            Assert.EndsWith("/admin/denied", new Uri(refused!.Url).AbsolutePath, StringComparison.Ordinal);
        }
    }

    /// <summary>The notification center of a signed-in end user (the host product posts the user's token to /session/start).</summary>
    private async Task<IPage> UserPageAsync(TestTenant tenant, string user)
    {
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
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
}
