using System.Net;
using System.Net.Http.Json;
using Comms.Core.Data;
using Comms.IntegrationTests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.EndToEnd;

/// <summary>A real Chromium on the notification center: an event posted through the API shows up live.</summary>
[Collection(CommsCollection.Name)]
public sealed class NotificationCenterTests(CommsFixture fixture) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

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
    public async Task A_posted_event_appears_live_with_the_badge_without_a_reload()
    {
        var page = await _browser.NewPageAsync();
        page.SetDefaultTimeout((float)Poll.DefaultTimeout.TotalMilliseconds);

        // Everything the browser complains about (CSP violations are reported as console errors) and every page it loads.
        var problems = new List<string>();
        var documents = new List<IResponse>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" || message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Add($"{response.Status} {response.Request.Method} {response.Url}");
            }

            if (response.Request.ResourceType == "document")
            {
                documents.Add(response);
            }
        };
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");

        // Development sign-in: pick the seeded alice.
        await page.GotoAsync($"{fixture.Web.BaseUrl}/dev/sign-in");
        await page.GetByLabel("User").SelectOptionAsync($"{DevelopmentSeed.TenantId}/alice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/notifications");
        await Assertions.Expect(page.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(page.GetByTestId("connection-state")).ToHaveTextAsync("Live");

        var badge = page.GetByTestId("unread-badge");
        var before = await badge.IsVisibleAsync() ? int.Parse(await badge.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture) : 0;
        await page.EvaluateAsync("() => { window.__noReload = true; }");

        var name = "Alice " + Guid.NewGuid().ToString("N")[..6];
        var api = fixture.Api.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", DevelopmentSeed.DefaultApiKey);
        var response = await api.PostAsJsonAsync("/v1/events", new
        {
            name = DevelopmentSeed.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "e2e:" + name, category = "account",
            payload = new { name },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var item = page.GetByTestId("notification-item").Filter(new() { HasText = $"Welcome, {name}!" });
        await Assertions.Expect(item).ToBeVisibleAsync();
        await Assertions.Expect(item).ToContainTextAsync($"Hello {name}, your account is ready.");
        await Assertions.Expect(badge).ToHaveTextAsync((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page was reloaded");

        // The badge sits over the bell, whole, inside the navbar (it used to be cut off at the top of the page).
        var badgeBox = (await badge.BoundingBoxAsync())!;
        var navBox = (await page.Locator("nav.navbar").BoundingBoxAsync())!;
        Assert.True(badgeBox.Y >= navBox.Y && badgeBox.Y + badgeBox.Height <= navBox.Y + navBox.Height,
            $"the badge ({badgeBox.Y}..{badgeBox.Y + badgeBox.Height}) is not inside the navbar ({navBox.Y}..{navBox.Y + navBox.Height})");

        // No accessibility violations of serious or critical impact (axe-core).
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))})").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));

        // The pages are served with a CSP that allows no inline script, and nothing was blocked or failed.
        Assert.NotEmpty(documents);
        foreach (var document in documents)
        {
            var headers = await document.AllHeadersAsync();
            Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.Equal("nosniff", headers["x-content-type-options"]);
            Assert.Equal("no-referrer", headers["referrer-policy"]);
        }

        // Marking it read updates the badge, too.
        await item.GetByRole(AriaRole.Button, new() { Name = $"Mark read: Welcome, {name}!" }).ClickAsync();
        if (before == 0)
        {
            await Assertions.Expect(badge).ToBeHiddenAsync();
        }
        else
        {
            await Assertions.Expect(badge).ToHaveTextAsync(before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.True(problems.Count == 0, "Browser console errors or CSP violations:\n" + string.Join("\n", problems));
    }
}
