using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Operators;
using Comms.Core.Privacy;
using Comms.Core.Recipients;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Unsubscribe;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// Recipients in the console, in Chromium: found by email, their page shows devices (token shortened), messages and
/// inbox items; an operator turns a preference off through the same service as the API (seen at <c>/me</c>, audited as
/// the operator); an erased recipient shows nothing personal; the approver of <c>demo</c> gets 404 for another tenant's
/// recipient and sees demo's read-only (a forged POST is 403).
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleRecipientsTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task An_operator_finds_a_recipient_by_email_sees_their_history_and_changes_a_preference()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        await using (var db = fixture.CreateDbContext())
        {
            var alice = await db.Recipients.SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == "alice");
            db.Devices.Add(new Device { Id = Guid.CreateVersion7(), TenantId = tenant.Id, RecipientId = alice.Id, Provider = "fcm", Token = "fcm-secret-token-0123456789-wxyz", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        await tenant.AddRecipientAsync("gone", r => (r.ExternalId, r.Name, r.Email, r.ErasedAt) = (ErasedIds.Tombstone("gone"), null, null, DateTimeOffset.UtcNow));
        await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "welcome:console", payload = new { name = "Alice" } });
        await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await db.InboxItems.AnyAsync(i => i.TenantId == tenant.Id) && await db.Messages.CountAsync(m => m.TenantId == tenant.Id) == 2;
        }, "alice's welcome messages and inbox item");

        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/recipients");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/recipients");
        await page.GetByLabel("Tenant").FillAsync(tenant.Id);
        await page.GetByLabel("External id, email or phone").FillAsync(tenant.EmailOf("alice").ToUpperInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("recipient-email")).ToHaveTextAsync([tenant.EmailOf("alice")]);
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "alice" }).ClickAsync();
        await page.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/recipients/alice");
        await Assertions.Expect(page.GetByTestId("email")).ToHaveTextAsync(tenant.EmailOf("alice"));
        await Assertions.Expect(page.GetByTestId("device-token")).ToHaveTextAsync("fcm-se…wxyz");
        await Assertions.Expect(page.GetByTestId("message-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("inbox-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("decision-row")).ToHaveCountAsync(2);
        Assert.DoesNotContain("fcm-secret-token", await page.ContentAsync(), StringComparison.Ordinal);
        await ConsolePages.AssertAccessibleAsync(page);

        await Assertions.Expect(page.GetByLabel("booking by email")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("security by email")).ToBeDisabledAsync(); // critical: locked
        await page.GetByLabel("booking by email").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The preferences were saved.");
        await Assertions.Expect(page.GetByLabel("booking by email")).Not.ToBeCheckedAsync();
        var matrix = await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>("/me/notifications/preferences");
        Assert.False(UnsubscribeSetup.EmailOn(matrix, "booking"));
        Assert.True(UnsubscribeSetup.EmailOn(matrix, "finance"));

        await page.GetByRole(AriaRole.Link, new() { Name = "email message" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("channel")).ToHaveTextAsync("email");

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/recipients?tenant={tenant.Id}");
        await Assertions.Expect(page.GetByTestId("recipient-row")).ToHaveCountAsync(3);
        await Assertions.Expect(page.GetByTestId("erased")).ToHaveCountAsync(1);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/recipients/{ErasedIds.Tombstone("gone")}");
        await Assertions.Expect(page.GetByTestId("erased")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("profile")).ToHaveCountAsync(0);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var check = fixture.CreateDbContext();
        var audit = await check.AuditLog.AsNoTracking().SingleAsync(a => a.TenantId == tenant.Id && a.Action == "recipient.preferences.changed");
        Assert.StartsWith("operator:", audit.Actor, StringComparison.Ordinal);
        Assert.Contains("booking", audit.Metadata, StringComparison.Ordinal);
        Assert.DoesNotContain("@", audit.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_approver_of_demo_gets_404_for_another_tenants_recipient_and_cannot_change_demos()
    {
        var other = await TestTenant.CreateAsync(fixture, "carol");
        var externalId = "console-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        await using (var db = fixture.CreateDbContext())
        {
            db.Recipients.Add(new Recipient { Id = Guid.CreateVersion7(), TenantId = "demo", ExternalId = externalId, Email = externalId + "@example.test", TimeZone = "UTC", CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync();
        }

        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/recipients");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/recipients");
        await Assertions.Expect(page.GetByLabel("Tenant")).ToHaveValueAsync("demo");

        var refused = await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{other.Id}/recipients/carol");
        Assert.Equal(404, refused!.Status);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/recipients?tenant={other.Id}");
        await Assertions.Expect(page.GetByTestId("recipient-row")).ToHaveCountAsync(0);

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/recipients?tenant=demo&q={externalId}");
        await page.GetByRole(AriaRole.Link, new() { Name = externalId }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("read-only")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("booking by email")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" })).ToBeDisabledAsync();
        await ConsolePages.AssertAccessibleAsync(page);

        await page.EvaluateAsync("document.querySelectorAll('[disabled]').forEach(e => e.removeAttribute('disabled'))");
        await page.GetByLabel("booking by email").UncheckAsync();
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync(), r => r.Url.Contains("/admin/denied", StringComparison.Ordinal));
        Assert.Equal(403, answer.Status);
        await using var check = fixture.CreateDbContext();
        var id = await check.Recipients.Where(r => r.TenantId == "demo" && r.ExternalId == externalId).Select(r => r.Id).SingleAsync();
        Assert.False(await check.Preferences.AnyAsync(p => p.TenantId == "demo" && p.RecipientId == id));
    }
}
