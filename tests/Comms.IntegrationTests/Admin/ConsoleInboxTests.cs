using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Sys;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The operator inbox in the console, in Chromium: a mail posted to the SendGrid inbound webhook appears live on the
/// open list (the console's cookie session on the hub), shown as text (its HTML never rendered); the operator assigns it
/// to herself, replies (the reply arrives in MailDev), closes and reopens it; every step is audited as her. An approver
/// (no SysOperator) is refused the inbox and cannot join the operators' hub group.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleInboxTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task A_new_mail_appears_live_and_the_operator_assigns_replies_by_email_and_closes_it()
    {
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/inbox");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/inbox");
        await Assertions.Expect(page.Locator("body[data-inbox-live='true']")).ToHaveCountAsync(1);

        var sender = $"console-{Guid.NewGuid():N}@example.net";
        var subject = $"Console question {Guid.NewGuid():N}";
        var post = InboundParsePost.Mail(sender, subject, $"{Guid.NewGuid():N}@mail.example.net",
            text: "Hello <b>there</b>, when is the maintenance?");
        var posted = await fixture.Api.CreateClient().SendAsync(post.Request());
        Assert.True(posted.IsSuccessStatusCode, $"{(int)posted.StatusCode}");

        // Live: no reload.
        var row = page.GetByTestId("thread-row").Filter(new() { HasText = subject });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await ConsolePages.AssertAccessibleAsync(page);
        await row.GetByRole(AriaRole.Link, new() { Name = subject }).ClickAsync();
        await page.WaitForURLAsync("**/admin/inbox/*");
        var threadId = Guid.Parse(page.Url.Split('/')[^1]);
        // As text: the markup is shown, not rendered.
        await Assertions.Expect(page.GetByTestId("message-text")).ToContainTextAsync("Hello <b>there</b>");
        await Assertions.Expect(page.Locator("[data-testid=inbox-message] b")).ToHaveCountAsync(0);
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Assign to me" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("assigned")).ToHaveTextAsync("me");

        // An empty reply is refused next to the field.
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("reply-error")).ToContainTextAsync("Write a reply");

        await page.GetByLabel("Reply by email").FillAsync("It starts Sunday 02:00 UTC.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("The reply is queued");
        var email = await fixture.Mailbox.WaitForOneToAsync(sender, TimeSpan.FromSeconds(60));
        Assert.Equal("Re: " + subject, email.Subject);
        Assert.Contains("Sunday 02:00 UTC", email.Text, StringComparison.Ordinal);
        await Poll.UntilAsync(async () =>
        {
            await page.ReloadAsync();
            return await page.Locator("[data-testid=inbox-message][data-direction=outbound] [data-testid=message-status]").TextContentAsync() == "sent";
        }, "the reply shown as sent", TimeSpan.FromSeconds(60));

        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("closed");
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/inbox?status=closed");
        await Assertions.Expect(page.GetByTestId("thread-row").Filter(new() { HasText = subject })).ToHaveCountAsync(1);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/inbox/{threadId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reopen" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("open");
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/inbox?status=assigned_to_me");
        await Assertions.Expect(page.GetByTestId("thread-row").Filter(new() { HasText = subject })).ToHaveCountAsync(1);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var db = fixture.CreateDbContext();
        var target = Comms.Core.SupportInbox.InboxAuditActions.Target(threadId);
        var actions = await db.AuditLog.AsNoTracking().Where(a => a.Target == target && a.Actor.StartsWith("operator:"))
            .Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.inbox.assigned", "sys.inbox.closed", "sys.inbox.reopened", "sys.inbox.replied"], actions.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_operator_without_SysOperator_is_refused_the_inbox_and_the_console_hub_needs_the_console_session()
    {
        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin");
        var refused = await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/inbox");
        Assert.EndsWith("/admin/denied", new Uri(refused!.Url).AbsolutePath, StringComparison.Ordinal);

        // The approver's console cookie cannot join the hub (no SysOperator): the negotiate is refused.
        var negotiate = await page.APIRequest.PostAsync($"{fixture.Web.BaseUrl}{Comms.Realtime.NotificationsHub.ConsolePath}/negotiate?negotiateVersion=1",
            new() { MaxRedirects = 0 });
        Assert.NotEqual(200, negotiate.Status);

        // Without any session: refused too.
        var anonymous = new HubConnectionBuilder().WithUrl($"{fixture.Web.BaseUrl}{Comms.Realtime.NotificationsHub.ConsolePath}").Build();
        await using var connection = anonymous;
        await Assert.ThrowsAnyAsync<Exception>(() => anonymous.StartAsync());
    }
}
