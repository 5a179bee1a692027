extern alias dispatcher;

using Comms.Core.Messages;
using Comms.Core.Operators;
using Comms.IntegrationTests.Dispatching;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using dispatcher::Comms.Dispatcher.Sending;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The operations dashboard in Chromium: its numbers move without a reload (messages sent after the page opened are
/// counted within seconds), and SPEC S10's bounce-rate alert shows when the email bounce rate passes 0.3%; a
/// provider's breaker that opens in a dispatcher shows in the Provider health panel with an alert, and closed again
/// after the provider recovers.
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

    /// <summary>Long enough for the page's 5-second refresh (the default expectation timeout is 5 s).</summary>
    private static readonly LocatorAssertionsToHaveTextOptions Refreshed = new() { Timeout = (float)Poll.DefaultTimeout.TotalMilliseconds };

    [Fact]
    public async Task An_open_provider_breaker_shows_with_an_alert_and_closes_after_the_provider_recovers()
    {
        using var fcm = new FakeFcm { Failing = true };
        var (tenant, _) = await FakeFcm.QueueAsync(fixture, 30);
        await using var dispatcher = fixture.StartDispatcher(fcm.Settings(
            ("Comms:Throttling:Breaker:MinimumThroughput", "4"),
            ("Comms:Throttling:Breaker:SamplingDuration", "00:00:02"),
            ("Comms:Throttling:Breaker:BreakDuration", "00:00:02"),
            ("Comms:Throttling:HealthPublishInterval", "00:00:01"),
            ("Comms:Dispatcher:MessageBatchSize", "10")));
        var id = dispatcher.Services.GetRequiredService<DispatcherIdentity>().Id;
        try
        {
            var page = await ConsolePages.NewPageAsync(_browser, _problems);
            await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
            await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
            await page.WaitForURLAsync("**/admin");
            await DirectQueue.WakeAsync(fixture, Channel.Push);

            // FCM answers 503: the dispatcher's fcm breaker opens, and the page (refreshing itself) shows it with an alert.
            var row = page.Locator($"[data-testid=breaker][data-provider=fcm][data-dispatcher=\"{id}\"]");
            await Assertions.Expect(row.Locator("[data-field=state]")).ToHaveTextAsync("open", Refreshed);
            await Assertions.Expect(row).ToContainTextAsync("HTTP 503", new() { Timeout = Refreshed.Timeout });
            var alert = page.Locator("[data-testid=alerts] [data-kind=breaker_open]", new() { HasText = id });
            await Assertions.Expect(alert).ToContainTextAsync("The fcm circuit breaker is open", new() { Timeout = Refreshed.Timeout });
            await Assertions.Expect(page.GetByTestId("provider-fcm").Locator("[data-field=failed]")).Not.ToHaveTextAsync("0", Refreshed);
            await Assertions.Expect(page.GetByTestId("provider-fcm").Locator("[data-field=held]")).Not.ToHaveTextAsync("0", Refreshed);
            await ConsolePages.AssertAccessibleAsync(page);
            await using (var db = fixture.CreateDbContext())
            {
                Assert.Equal(0, await db.Messages.CountAsync(m => m.TenantId == tenant.Id && m.Status == MessageStatus.Failed));
            }

            // FCM is back: the next probe succeeds, the breaker closes, the alert goes, the messages are sent.
            fcm.Failing = false;
            await Assertions.Expect(row.Locator("[data-field=state]")).ToHaveTextAsync("closed", Refreshed);
            await Assertions.Expect(alert).ToHaveCountAsync(0, new() { Timeout = Refreshed.Timeout });
            await Assertions.Expect(page.GetByTestId("provider-fcm").Locator("[data-field=accepted]")).Not.ToHaveTextAsync("0", Refreshed);
            Assert.True(_problems.Count == 0, string.Join("\n", _problems));
        }
        finally
        {
            await FakeFcm.CancelQueuedAsync(fixture, tenant.Id);
        }
    }

    [Fact]
    public async Task A_tenant_operator_sees_the_providers_breakers_but_not_other_tenants_webhook_hosts_nor_platform_counts()
    {
        // Two breakers of one (fictitious) dispatcher, as it publishes them: a provider, and a webhook target host.
        var dispatcherId = "scope-test:" + Guid.NewGuid().ToString("N")[..8];
        var host = $"hooks-{Guid.NewGuid():N}.example.test"[..30];
        var db = fixture.RedisClient.GetDatabase();
        foreach (var (provider, target) in new[] { ("sendgrid", (string?)null), ("webhook", host) })
        {
            var key = Comms.Core.Diagnostics.ProviderHealthKeys.Breaker(dispatcherId, provider, target);
            await db.HashSetAsync(key,
            [
                new("provider", provider), new("target", target ?? ""), new("state", "half-open"), new("since", DateTimeOffset.UtcNow.ToString("O")),
                new("lastFailure", "HTTP 502"), new("dispatcher", dispatcherId), new("updated", DateTimeOffset.UtcNow.ToString("O")),
            ]);
            await db.KeyExpireAsync(key, TimeSpan.FromMinutes(1));
            await db.SortedSetAddAsync(Comms.Core.Diagnostics.ProviderHealthKeys.BreakerIndex, key, DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
        }

        var mine = $"[data-testid=breaker][data-dispatcher=\"{dispatcherId}\"]";
        var ops = await ConsolePages.NewPageAsync(_browser, _problems);
        await ops.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(ops, "ops@example.test", OperatorSeed.DefaultPassword);
        await ops.WaitForURLAsync("**/admin");
        await Assertions.Expect(ops.Locator(mine)).ToHaveCountAsync(2);
        await Assertions.Expect(ops.Locator(mine + "[data-provider=webhook]")).ToContainTextAsync(host);
        await Assertions.Expect(ops.GetByTestId("provider-throughput")).ToBeVisibleAsync();

        var approver = await ConsolePages.NewPageAsync(_browser, _problems);
        await approver.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(approver, "approver@example.test", OperatorSeed.DefaultPassword);
        await approver.WaitForURLAsync("**/admin");
        await Assertions.Expect(approver.Locator(mine + "[data-provider=sendgrid] [data-field=state]")).ToHaveTextAsync("half-open");
        await Assertions.Expect(approver.Locator(mine + "[data-provider=webhook]")).ToHaveCountAsync(0);
        await Assertions.Expect(approver.GetByTestId("provider-throughput")).ToHaveCountAsync(0);
        var figures = await approver.APIRequest.GetAsync($"{fixture.Web.BaseUrl}/admin?handler=figures");
        var json = await figures.TextAsync();
        Assert.DoesNotContain(host, json, StringComparison.Ordinal);
        Assert.Contains(dispatcherId, json, StringComparison.Ordinal);
        await ConsolePages.AssertAccessibleAsync(approver);
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
