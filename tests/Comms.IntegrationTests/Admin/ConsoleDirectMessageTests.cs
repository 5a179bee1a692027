using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// "Message this user" from a recipient's page, in Chromium: the reason is required (message beside it), the send is
/// refused until the operator test-sent the same text to themself (it arrives in MailDev), then the user gets it; the
/// service audits each step.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleDirectMessageTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task An_operator_messages_a_user_after_testing_it_on_herself()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "erin");
        var subject = $"Your account {Guid.NewGuid():N}";
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/recipients/erin");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/recipients/erin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Message this user" }).ClickAsync();
        await page.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/recipients/erin/message");

        await page.GetByLabel("Subject").FillAsync(subject);
        await page.GetByLabel("Message").FillAsync("The migration of your data starts Sunday 02:00 UTC.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send to the user" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-reason")).ToContainTextAsync("10");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByLabel("Reason (kept in the audit log, at least 10 characters)").FillAsync("Support ticket 4711: planned migration");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send to the user" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("refusal")).ToContainTextAsync("test");

        await page.GetByRole(AriaRole.Button, new() { Name = "Test send to me" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("receipt")).ToContainTextAsync("The test is on its way to you.");
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync("ops@example.test")).Any(m => m.Subject == subject), "the test in the operator's mailbox");
        Assert.DoesNotContain(await fixture.Mailbox.ToAsync(tenant.EmailOf("erin")), m => m.Subject == subject);

        await page.GetByRole(AriaRole.Button, new() { Name = "Send to the user" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("receipt")).ToContainTextAsync("The message is on its way.");
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf("erin"))).Any(m => m.Subject == subject), "the message in the user's mailbox");
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var db = fixture.CreateDbContext();
        var actions = await db.AuditLog.AsNoTracking().Where(a => a.TenantId == tenant.Id && a.Action.StartsWith("sys.user.direct_message.")).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.user.direct_message.sent", "sys.user.direct_message.test_send"], actions.Order());
    }
}
