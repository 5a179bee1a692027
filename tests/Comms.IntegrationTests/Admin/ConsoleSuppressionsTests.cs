using Comms.Core.Feedback;
using Comms.Core.Messages;
using Comms.Core.Operators;
using Comms.Core.Preferences;
using Comms.IntegrationTests.Feedback;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The suppression list in the console, in Chromium: a suppressed address is found by its address (hashed on lookup);
/// re-permitting it without a consent note is refused with the message beside the field; with a note and fresh-auth
/// it is removed, audited with the note and never the address, and the address gets mail again. The approver of
/// <c>demo</c> sees demo's suppressions read-only (a forged POST is 403) and another tenant's as 404.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleSuppressionsTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task A_suppressed_address_is_found_and_re_permitted_only_with_a_consent_note_and_fresh_auth()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "bob");
        await SuppressAsync(tenant.Id, tenant.EmailOf("bob"), FeedbackService.BounceReason);
        await SuppressAsync(tenant.Id, "someone-else@example.test", FeedbackService.ComplaintReason);
        var hash = Suppression.Hash(tenant.EmailOf("bob"));

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var web = new WebServer(fixture.Settings, services => services.AddSingleton<TimeProvider>(clock));
        web.Start();
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{web.BaseUrl}/admin/suppressions");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/suppressions");
        await page.GetByLabel("Tenant").FillAsync(tenant.Id);
        await page.GetByLabel("Address (email or phone)").FillAsync(" " + tenant.EmailOf("bob").ToUpperInvariant() + " ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("suppression-reason")).ToHaveTextAsync([FeedbackService.BounceReason]);
        Assert.DoesNotContain("bob", page.Url, StringComparison.Ordinal); // the address never goes into a URL
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Re-permit" }).ClickAsync();
        await page.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/suppressions/email/{hash}");
        await page.GetByLabel("Consent note").FillAsync("asked");
        await page.GetByRole(AriaRole.Button, new() { Name = "Re-permit" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-note")).ToContainTextAsync("at least 10 characters");
        await ConsolePages.AssertAccessibleAsync(page);
        Assert.True(await ExistsAsync(tenant.Id, hash));

        clock.Advance(TimeSpan.FromMinutes(6));
        const string note = "Bob wrote to support on 2026-11-27 asking to receive our emails again (ticket 4711).";
        await page.GetByLabel("Consent note").FillAsync(note);
        await page.GetByRole(AriaRole.Button, new() { Name = "Re-permit" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("fresh-auth")).ToContainTextAsync("password");
        await Assertions.Expect(page.GetByLabel("Consent note")).ToHaveValueAsync(note);
        Assert.True(await ExistsAsync(tenant.Id, hash));
        await page.GetByLabel("Confirm your password").FillAsync(OperatorSeed.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Re-permit" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("re-permitted");
        Assert.False(await ExistsAsync(tenant.Id, hash));
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using (var db = fixture.CreateDbContext())
        {
            var audit = await db.AuditLog.AsNoTracking().SingleAsync(a => a.TenantId == tenant.Id && a.Action == "suppression.repermitted");
            Assert.StartsWith("operator:", audit.Actor, StringComparison.Ordinal);
            Assert.Contains("ticket 4711", audit.Metadata, StringComparison.Ordinal);
            Assert.DoesNotContain(tenant.EmailOf("bob"), audit.Metadata + audit.Target, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, await db.Suppressions.CountAsync(s => s.TenantId == tenant.Id));
        }

        var eventId = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "bob" }, causeRef = "welcome:again", payload = new { name = "Bob" } });
        await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Email, MessageStatus.Sent);
    }

    [Fact]
    public async Task The_approver_of_demo_sees_demos_suppressions_read_only_and_not_another_tenants()
    {
        var other = await TestTenant.CreateAsync(fixture);
        var otherAddress = "x-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";
        await SuppressAsync(other.Id, otherAddress, FeedbackService.BounceReason);
        var demoAddress = "d-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";
        await SuppressAsync("demo", demoAddress, FeedbackService.ComplaintReason);

        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/suppressions");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/suppressions");
        var refused = await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{other.Id}/suppressions/email/{Suppression.Hash(otherAddress)}");
        Assert.Equal(404, refused!.Status);

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/suppressions");
        await Assertions.Expect(page.GetByLabel("Tenant")).ToHaveValueAsync("demo");
        await page.GetByLabel("Address (email or phone)").FillAsync(demoAddress);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("suppression-row")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Link, new() { Name = "Re-permit" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("read-only")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Re-permit" })).ToBeDisabledAsync();
        await ConsolePages.AssertAccessibleAsync(page);

        await page.EvaluateAsync("document.querySelectorAll('[disabled]').forEach(e => e.removeAttribute('disabled'))");
        await page.GetByLabel("Consent note").FillAsync("The approver tries it anyway, with a long note.");
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Re-permit" }).ClickAsync(), r => r.Url.Contains("/admin/denied", StringComparison.Ordinal));
        Assert.Equal(403, answer.Status);
        Assert.True(await ExistsAsync("demo", Suppression.Hash(demoAddress)));
    }

    private async Task SuppressAsync(string tenantId, string address, string reason)
    {
        await using var db = fixture.CreateDbContext();
        db.Suppressions.Add(new Suppression { TenantId = tenantId, Channel = Channel.Email, AddressHash = Suppression.Hash(address), Reason = reason, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }

    private async Task<bool> ExistsAsync(string tenantId, string hash)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Suppressions.AnyAsync(s => s.TenantId == tenantId && s.AddressHash == hash);
    }
}
