using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Unsubscribe;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.EndToEnd;

/// <summary>
/// A real Chromium on the preference center page (signed in the way a host product does it: a POSTed user token)
/// and on the page an unsubscribe link opens: what is changed is stored, critical rows are locked, and neither page
/// has serious accessibility problems or CSP violations.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class PreferenceCenterPageTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task A_user_changes_a_preference_quiet_hours_and_a_dm_mute_and_finds_them_stored_after_a_reload()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var page = await NewPageAsync();

        // The host product signs the user in: its page posts the user's token to /session/start.
        await page.SetContentAsync($"""
            <form method="post" action="{fixture.Web.BaseUrl}/session/start">
              <input type="hidden" name="token" value="{tenant.UserToken("alice")}">
              <button>Notifications</button>
            </form>
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Notifications" }).ClickAsync();
        await page.WaitForURLAsync("**/notifications");
        await page.GetByRole(AriaRole.Link, new() { Name = "Preferences" }).ClickAsync();
        await page.WaitForURLAsync("**/preferences");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Notification preferences" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("alice");

        // Critical rows are shown, locked on, with the reason.
        var securityEmail = page.GetByRole(AriaRole.Checkbox, new() { Name = "Security by email", Exact = true });
        await Assertions.Expect(securityEmail).ToBeCheckedAsync();
        await Assertions.Expect(securityEmail).ToBeDisabledAsync();
        await Assertions.Expect(securityEmail).ToHaveAccessibleDescriptionAsync("Locked: critical notices always reach you.");
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Legal by email", Exact = true })).ToBeDisabledAsync();

        await AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Booking by email", Exact = true }).UncheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Promotions by push notification", Exact = true }).CheckAsync();
        await page.GetByLabel("Hold notifications during quiet hours").CheckAsync();
        await page.GetByLabel("From").FillAsync("22:15");
        await page.GetByLabel("Until").FillAsync("06:45");
        await page.GetByLabel("Time zone").SelectOptionAsync("Europe/Berlin");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Booking", Exact = true }).CheckAsync(); // an exception to quiet hours
        await page.GetByLabel("Mute direct messages by email").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("preferences-saved")).ToHaveTextAsync("Your preferences were saved.");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Booking by email", Exact = true })).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Promotions by push notification", Exact = true })).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Booking by push notification", Exact = true })).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Hold notifications during quiet hours")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("From")).ToHaveValueAsync("22:15");
        await Assertions.Expect(page.GetByLabel("Until")).ToHaveValueAsync("06:45");
        await Assertions.Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("Europe/Berlin");
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Booking", Exact = true })).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Mute direct messages by email")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Mute direct messages by push notification")).Not.ToBeCheckedAsync();
        await Assertions.Expect(securityEmail).ToBeDisabledAsync();

        // The same settings through the API (the page saved through the API's service).
        var matrix = await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>("/me/notifications/preferences");
        Assert.Equal("Europe/Berlin", matrix.GetProperty("timeZone").GetString());
        Assert.Equal("""{"enabled":true,"start":"22:15","end":"06:45","exceptions":["booking"]}""", matrix.GetProperty("quietHours").GetRawText());
        Assert.Equal("""{"email":true,"push":false,"sms":false,"in_app":false}""", matrix.GetProperty("dmMuted").GetRawText());
        Assert.False(UnsubscribeSetup.EmailOn(matrix, "booking"));
        await using (var db = fixture.CreateDbContext())
        {
            // Only what changed became an override: the defaults the user left alone stay defaults.
            var rows = await db.Preferences.Where(p => p.TenantId == tenant.Id).OrderBy(p => p.Category).Select(p => $"{p.Category}/{p.Channel}={p.Enabled}").ToListAsync();
            Assert.Equal(["booking/email=False", "promotions/push=True"], rows);
        }

        Assert.True(_problems.Count == 0, "Browser console errors, CSP violations or failed requests:\n" + string.Join("\n", _problems));
    }

    [Fact]
    public async Task A_forged_form_that_turns_off_a_critical_row_is_refused_with_the_apis_code_and_nothing_is_stored()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "bob");
        var page = await NewPageAsync();
        await page.SetContentAsync($"""
            <form method="post" action="{fixture.Web.BaseUrl}/session/start">
              <input type="hidden" name="token" value="{tenant.UserToken("bob")}"><input type="hidden" name="returnUrl" value="/preferences">
              <button>Settings</button>
            </form>
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await page.WaitForURLAsync("**/preferences");

        // Someone edits the page to claim that "Security by email" was shown unchecked, and changes booking too.
        await page.EvaluateAsync("""
            () => {
              const shown = document.createElement('input');
              shown.type = 'hidden'; shown.name = 'Form.Shown'; shown.value = 'security:email';
              document.querySelector('form.preferences-form').appendChild(shown);
            }
            """);
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Booking by email", Exact = true }).UncheckAsync();
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/preferences", StringComparison.Ordinal));

        Assert.Equal(422, response.Status);
        var error = page.GetByTestId("preferences-error");
        await Assertions.Expect(error).ToContainTextAsync("A critical category cannot be turned off.");
        await Assertions.Expect(error).ToContainTextAsync("Security by email always reaches you");
        await Assertions.Expect(error).ToContainTextAsync("COMMS_PREF_LOCKED");
        var matrix = await tenant.UserClient("bob").GetFromJsonAsync<JsonElement>("/me/notifications/preferences");
        Assert.True(UnsubscribeSetup.EmailOn(matrix, "booking")); // nothing stored, not even the allowed change
        Assert.True(UnsubscribeSetup.EmailOn(matrix, "security"));
    }

    [Fact]
    public async Task The_unsubscribe_page_confirms_and_undoes_in_a_browser_and_is_accessible()
    {
        var tenant = await UnsubscribeSetup.TenantAsync(fixture, "cat");
        var link = UnsubscribeSetup.LinkOf((await UnsubscribeSetup.SendAsync(fixture, tenant, "cat", "Winter sale")).Header("list-unsubscribe")!);
        var page = await NewPageAsync();

        await page.GotoAsync(link);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Unsubscribe from Promotions emails?" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe from Promotions emails" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are unsubscribed from Promotions emails" })).ToBeVisibleAsync();
        Assert.False(UnsubscribeSetup.EmailOn(await UnsubscribeSetup.MatrixAsync(tenant, "cat"), "promotions"));
        await AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Undo: subscribe again" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You are subscribed again: Promotions.");
        Assert.True(UnsubscribeSetup.EmailOn(await UnsubscribeSetup.MatrixAsync(tenant, "cat"), "promotions"));
        Assert.True(_problems.Count == 0, "Browser console errors, CSP violations or failed requests:\n" + string.Join("\n", _problems));
    }

    private async Task<IPage> NewPageAsync()
    {
        var page = await _browser.NewPageAsync();
        page.SetDefaultTimeout((float)Poll.DefaultTimeout.TotalMilliseconds);
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
            if (response.Status >= 400 && response.Status != 422)
            {
                _problems.Add($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
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
