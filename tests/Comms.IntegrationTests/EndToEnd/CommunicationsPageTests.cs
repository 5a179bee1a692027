using System.Net.Http.Json;
using Comms.Core.Contexts;
using Comms.IntegrationTests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.EndToEnd;

/// <summary>
/// A real Chromium on the host's Communications page (signed in the way a host product does it: a POSTed user token):
/// the live recipient count, composing, the Scheduled / Sent / Cancelled tabs with friendly reminder labels, send-now
/// and cancel; no serious accessibility problems, no CSP violations; someone who is not the owner gets 404.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class CommunicationsPageTests(CommsFixture fixture) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly List<string> _problems = [];

    public async Task InitializeAsync() => (_playwright, _browser) = await Browser.LaunchAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task A_host_sees_the_live_count_composes_sends_now_and_cancels()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "host", "ann", "ben", "cat");
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync("/v1/contexts/gala", new
        {
            kind = "event", name = "Gala", ownerExternalId = "host", date = DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            timeZone = "UTC", venue = "Opera",
        })).EnsureSuccessStatusCode();
        foreach (var (guest, status) in new[] { ("ann", "attending"), ("ben", "attending"), ("cat", "pending") })
        {
            (await api.PutAsJsonAsync($"/v1/contexts/gala/members/{guest}", new { status })).EnsureSuccessStatusCode();
        }

        var page = await SignInAsync(tenant, "host", "/contexts/gala/communications");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Communications" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("message-label")).ToHaveTextAsync(["7-day reminder", "3-day last call", "1-day reminder", "Day-of reminder"]);
        await Assertions.Expect(page.GetByTestId("recipient-count")).ToHaveTextAsync("3 recipients will receive this");
        await AssertAccessibleAsync(page);

        await page.GetByLabel("Audience").SelectOptionAsync("attending");
        await Assertions.Expect(page.GetByTestId("recipient-count")).ToHaveTextAsync("2 recipients will receive this");
        await page.GetByLabel("Audience").SelectOptionAsync("pending");
        await Assertions.Expect(page.GetByTestId("recipient-count")).ToHaveTextAsync("1 recipient will receive this");

        await page.GetByLabel("Audience").SelectOptionAsync("attending");
        await page.GetByLabel("Email", new() { Exact = true }).UncheckAsync();
        await page.GetByLabel("Subject", new() { Exact = true }).FillAsync("Dress code, {{guest_name}}");
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Black tie at {{venue}}.");
        await page.GetByLabel("Send now", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The message is on its way.");
        await Assertions.Expect(page.GetByTestId("tab-sent")).ToHaveAttributeAsync("aria-current", "page");
        await Assertions.Expect(page.GetByTestId("message-subject")).ToHaveTextAsync("Dress code, {{guest_name}}");
        await PollSentAsync(tenant);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/contexts/gala/communications?tab=sent");
        await Assertions.Expect(page.GetByTestId("message-status")).ToHaveTextAsync("sent");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel: Dress code, {{guest_name}}" })).ToHaveCountAsync(0);

        await page.GetByTestId("tab-scheduled").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel: {{event_name}} is one week away" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The message was cancelled.");
        await Assertions.Expect(page.GetByTestId("message-label")).ToHaveTextAsync(["7-day reminder"]);
        await AssertAccessibleAsync(page);

        var stranger = await SignInAsync(tenant, "ann", "/notifications");
        var refused = await stranger.GotoAsync($"{fixture.Web.BaseUrl}/contexts/gala/communications");
        Assert.Equal(404, refused!.Status);
        _problems.RemoveAll(p => p.StartsWith("404 ", StringComparison.Ordinal) || p.Contains("404", StringComparison.Ordinal));
        Assert.True(_problems.Count == 0, "Browser console errors, CSP violations or failed requests:\n" + string.Join("\n", _problems));
    }

    private async Task PollSentAsync(TestTenant tenant) =>
        await Comms.TestServers.Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await db.ScheduledMessages.AnyAsync(m => m.TenantId == tenant.Id && m.Kind == ScheduledMessageKind.Custom && m.Status == ScheduledMessageStatus.Sent);
        }, "the composed message to be sent");

    private async Task<IPage> SignInAsync(TestTenant tenant, string user, string returnUrl)
    {
        var page = await _browser.NewPageAsync();
        page.SetDefaultTimeout((float)Comms.TestServers.Poll.DefaultTimeout.TotalMilliseconds);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" || message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _problems.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _problems.Add($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
        await page.SetContentAsync($"""
            <form method="post" action="{fixture.Web.BaseUrl}/session/start">
              <input type="hidden" name="token" value="{tenant.UserToken(user)}"><input type="hidden" name="returnUrl" value="{returnUrl}">
              <button>Go</button>
            </form>
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Go" }).ClickAsync();
        await page.WaitForURLAsync("**" + returnUrl);
        return page;
    }

    /// <summary>No accessibility violations of serious or critical impact (axe-core).</summary>
    private static async Task AssertAccessibleAsync(IPage page)
    {
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))})").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }
}
