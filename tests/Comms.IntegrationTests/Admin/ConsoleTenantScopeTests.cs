using Comms.Core.Messages;
using Comms.Core.Operators;
using Comms.Core.Preferences;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// URL tampering across the whole console: the approver of <c>demo</c> (a tenant-scoped operator) types the addresses of
/// another tenant's things into the browser — every tenant page answers 404, every search and log shows none of that
/// tenant's data, every SysOperator page is refused, and a forced write is 403 — so a tenant's own admins see nothing of
/// another tenant anywhere in the console.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleTenantScopeTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task The_approver_of_demo_finds_nothing_of_another_tenant_on_any_page()
    {
        var other = await TestTenant.CreateAsync(fixture, "carol");
        var eventId = await other.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "carol" }, causeRef = "scope:console", payload = new { name = "Carol" } });
        Guid messageId = default;
        await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            messageId = await db.Messages.Where(m => m.TenantId == other.Id && m.EventId == eventId && m.Channel == Channel.Email).Select(m => m.Id).FirstOrDefaultAsync();
            return messageId != default;
        }, "carol's welcome email message");
        var email = other.EmailOf("carol");
        var hash = Suppression.Hash(email);
        await using (var db = fixture.CreateDbContext())
        {
            db.Suppressions.Add(new Suppression { TenantId = other.Id, Channel = Channel.Email, AddressHash = hash, Reason = "bounce", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin");
        var web = fixture.Web.BaseUrl;

        // Another tenant's own pages: 404, as if they did not exist.
        foreach (var path in new[]
        {
            $"/admin/tenants/{other.Id}/api-keys",
            $"/admin/tenants/{other.Id}/routing-rules",
            $"/admin/tenants/{other.Id}/templates",
            $"/admin/tenants/{other.Id}/templates/{TestTenant.WelcomeEvent}/email/en-US",
            $"/admin/tenants/{other.Id}/recipients/carol",
            $"/admin/tenants/{other.Id}/suppressions/email/{hash}",
            $"/admin/messages/{messageId}",
        })
        {
            var answer = await page.GotoAsync(web + path);
            Assert.True(answer!.Status == 404, $"{path} answered {answer.Status}");
        }

        // Searches and logs pointed at the other tenant show none of its data.
        foreach (var path in new[]
        {
            $"/admin/recipients?tenant={other.Id}&q=carol",
            $"/admin/messages?tenant={other.Id}",
            $"/admin/messages?event={eventId}",
            $"/admin/suppressions?tenant={other.Id}",
            $"/admin/audit?tenant={other.Id}",
            $"/admin/tenants?q={other.Id}",
        })
        {
            var answer = await page.GotoAsync(web + path);
            Assert.True(answer!.Ok, $"{path} answered {answer.Status}");
            var html = await page.ContentAsync();
            Assert.False(html.Contains(email, StringComparison.OrdinalIgnoreCase), $"{path} shows carol's address");
            Assert.False(html.Contains(messageId.ToString(), StringComparison.Ordinal), $"{path} shows carol's message");
            Assert.False(html.Contains(hash[..12], StringComparison.Ordinal), $"{path} shows the suppression");
            Assert.False(html.Contains($"/admin/tenants/{other.Id}/", StringComparison.Ordinal), $"{path} links to the other tenant");
        }

        // The platform's own pages are for SysOperators only.
        foreach (var path in new[] { "/admin/operators", "/admin/inbox", "/admin/broadcasts", "/admin/banners", "/admin/release-notes" })
        {
            var answer = await page.GotoAsync(web + path);
            Assert.True(answer!.Status == 403 || page.Url.Contains("/admin/denied", StringComparison.Ordinal), $"{path} answered {answer.Status} at {page.Url}");
        }

        // A forced write into the other tenant: the import form pointed at it is refused.
        await page.GotoAsync($"{web}/admin/recipients/import");
        await page.EvaluateAsync($"(() => {{ const s = document.getElementById('tenant'); const o = document.createElement('option'); o.value = o.text = '{other.Id}'; s.add(o); s.value = '{other.Id}'; document.querySelectorAll('[disabled]').forEach(e => e.removeAttribute('disabled')); }})()");
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = "x.csv", MimeType = "text/csv", Buffer = "externalId\r\nintruder\r\n"u8.ToArray() });
        var forced = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync(), r => r.Url.Contains("/admin/denied", StringComparison.Ordinal));
        Assert.Equal(403, forced.Status);
        await using var check = fixture.CreateDbContext();
        Assert.False(await check.Recipients.AnyAsync(r => r.TenantId == other.Id && r.ExternalId == "intruder"));
    }
}
