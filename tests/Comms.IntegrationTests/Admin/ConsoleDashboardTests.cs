using Comms.Core.Messages;
using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The operations dashboard in Chromium: its numbers move without a reload (messages sent after the page opened are
/// counted within seconds), and SPEC S10's bounce-rate alert shows when the email bounce rate passes 0.3%.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleDashboardTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task The_figures_update_live_and_a_high_bounce_rate_raises_an_alert()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var recipient = await tenant.AddRecipientAsync("dana");
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin");
        await Assertions.Expect(page.Locator("#throughput")).ToBeVisibleAsync();
        await ConsolePages.AssertAccessibleAsync(page);
        var sentCell = page.GetByTestId("channel-webhook").GetByTestId("sent");
        var before = long.Parse((await sentCell.TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture);

        // Sent after the page opened, and 60 bounced emails: far above 0.3% of the last day's email.
        await AddMessagesAsync(tenant.Id, recipient.Id, Channel.Webhook, MessageStatus.Sent, 3);
        await AddMessagesAsync(tenant.Id, recipient.Id, Channel.Email, MessageStatus.Bounced, 60);

        await Poll.UntilAsync(async () => long.Parse((await sentCell.TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture) >= before + 3,
            "the dashboard to count the new messages without a reload");
        await Assertions.Expect(page.Locator("[data-testid=alerts] [data-kind=bounce_rate]")).ToContainTextAsync("Bounce rate");
        await Assertions.Expect(page.GetByTestId("no-alerts")).ToBeHiddenAsync();
        await ConsolePages.ScreenshotAsync(page, "console-dashboard.png");
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));
    }

    private async Task AddMessagesAsync(string tenantId, Guid recipientId, string channel, string status, int count)
    {
        var now = DateTimeOffset.UtcNow;
        await using var db = fixture.CreateDbContext();
        for (var i = 0; i < count; i++)
        {
            db.Messages.Add(new Message
            {
                Id = Guid.CreateVersion7(), TenantId = tenantId, RecipientId = recipientId, Channel = channel, Category = "account",
                TemplateName = "dashboard.test", TemplateVersion = 1, CauseRef = $"dashboard:{channel}:{i}", Status = status,
                DueAt = now, CreatedAt = now, SentAt = now, Attempts = 1,
            });
        }

        await db.SaveChangesAsync();
    }
}
