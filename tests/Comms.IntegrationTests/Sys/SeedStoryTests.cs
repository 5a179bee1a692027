using System.Net;
using System.Net.Http.Json;
using Comms.Core.Operators;
using Comms.IntegrationTests.Admin;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Sys;

/// <summary>
/// Issue 12's "Done when" story as one browser test (SPEC S6, seed 000). The operator composes a maintenance broadcast
/// (banner + email), is refused the send until she test-sends it (the email reaches her in MailDev and the banner her own
/// in-app inbox), sends it and watches its progress; the banner appears live in a signed-in user's notification center;
/// the user's reply, posted to the inbound webhook as SendGrid posts it, appears live in the operator inbox; she assigns it
/// to herself, sends the user a direct message with the start time (after her own test), and closes the thread; a second
/// operator taking over is refused the same direct message with 412 until their own test send; every step is audited.
/// <para>
/// Audience: this test's own tenant ("selected tenants"), not all tenants. The integration suite shares one fixture (one
/// database, many tenants of other tests running alongside); an all-tenants broadcast would fan out a banner and emails to
/// every one of them and disturb their assertions. A fixture of its own would mean a second PostgreSQL, Redis, MailDev and
/// three more in-process services for one test (CommsFixture is one per collection), so the audience is narrowed instead —
/// the all-tenants audience itself is covered by the broadcast draft and count tests.
/// </para>
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class SeedStoryTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task The_maintenance_story_runs_from_broadcast_to_reply_to_direct_message_with_every_step_audited()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        var subject = $"Maintenance Sunday {Guid.NewGuid():N}";

        // A user of the tenant has the notification center open.
        var user = await UserPageAsync(tenant, "ann");
        await Assertions.Expect(user.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "live");
        var banner = user.GetByTestId("banner").Filter(new() { HasText = subject });
        await Assertions.Expect(banner).ToHaveCountAsync(0);

        // 1. The operator composes the broadcast: banner + email to this test's tenant.
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/broadcasts/new");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/broadcasts/new");
        await page.GetByLabel("Title").FillAsync("Sunday maintenance");
        await page.GetByLabel("Selected tenants").CheckAsync();
        await page.GetByLabel("Tenants (comma-separated ids)").FillAsync(tenant.Id);
        await Assertions.Expect(page.GetByTestId("audience-count")).ToHaveTextAsync("2 recipients will receive this (in 1 tenant).");
        await page.GetByLabel("banner").CheckAsync();
        await page.GetByLabel("email").CheckAsync();
        await page.GetByLabel("Subject").FillAsync(subject);
        await page.GetByLabel("Body (Liquid)").FillAsync("Hello {{ recipient.name }}, the platform restarts Sunday 02:00 UTC for about 20 minutes.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await page.WaitForURLAsync("**/admin/broadcasts/*?done=saved");
        var broadcastId = Guid.Parse(new Uri(page.Url).AbsolutePath.Split('/')[^1]);

        // 2. Refused until she test-sends; the test reaches her by email and in her own in-app inbox.
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("refusal")).ToContainTextAsync("Send a test first");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test send" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("The test is on its way");
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync("ops@example.test")).Any(m => m.Subject == subject), "her test email in MailDev");
        await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await (from i in db.InboxItems
                          join r in db.Recipients on i.RecipientId equals r.Id
                          where i.TenantId == tenant.Id && r.ExternalId.StartsWith("sys-operator-") && i.Title == subject
                          select i).AnyAsync();
        }, "her test banner in her own in-app inbox");
        await Assertions.Expect(banner).ToHaveCountAsync(0); // a test reaches nobody else

        // 3. She sends and watches the progress until everything is out.
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The broadcast is sending.");
        await Assertions.Expect(page.Locator("[data-testid=progress-row][data-channel=email]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("sent");

        // 4. The banner appears live in the user's notification center.
        await Assertions.Expect(banner).ToHaveCountAsync(1);
        await Assertions.Expect(banner).ToContainTextAsync("Sunday 02:00 UTC");
        var mail = await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf("ann"))).FirstOrDefault(m => m.Subject == subject), "the broadcast email to ann");

        // 5. Ann replies to the email; SendGrid posts it to the inbound webhook; it appears live in the operator inbox.
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/inbox");
        await Assertions.Expect(page.Locator("body[data-inbox-live='true']")).ToHaveCountAsync(1);
        var broadcastMessageId = MailDevClient.RawHeader(await fixture.Mailbox.SourceAsync(mail.Id), "Message-ID")!.Trim().Trim('<', '>');
        var reply = InboundParsePost.Mail(tenant.EmailOf("ann"), "Re: " + subject, $"{Guid.NewGuid():N}@mail.example.net",
            inReplyTo: broadcastMessageId, text: "Will my scheduled exports still run on Sunday?");
        var posted = await fixture.Api.CreateClient().SendAsync(reply.Request());
        Assert.True(posted.IsSuccessStatusCode, $"{(int)posted.StatusCode}");
        var row = page.GetByTestId("thread-row").Filter(new() { HasText = "Re: " + subject });
        await Assertions.Expect(row).ToHaveCountAsync(1);

        // 6. She assigns it to herself, writes Ann a direct message with the start time (after her own test), and closes the thread.
        await row.GetByRole(AriaRole.Link, new() { Name = "Re: " + subject }).ClickAsync();
        await page.WaitForURLAsync("**/admin/inbox/*");
        var threadId = Guid.Parse(page.Url.Split('/')[^1]);
        await Assertions.Expect(page.GetByTestId("message-text")).ToContainTextAsync("scheduled exports");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign to me" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("assigned")).ToHaveTextAsync("me");

        var dmSubject = $"Your exports on Sunday {Guid.NewGuid():N}";
        const string dmBody = "The maintenance starts Sunday 02:00 UTC; exports scheduled then run at 02:30 UTC.";
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/recipients/ann/message");
        await page.GetByLabel("Subject").FillAsync(dmSubject);
        await page.GetByLabel("Message").FillAsync(dmBody);
        await page.GetByLabel("Reason (kept in the audit log, at least 10 characters)").FillAsync("Answer to her reply about the maintenance");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send to the user" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("refusal")).ToContainTextAsync("test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test send to me" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("receipt")).ToContainTextAsync("The test is on its way to you.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send to the user" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("receipt")).ToContainTextAsync("The message is on its way.");
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf("ann"))).Any(m => m.Subject == dmSubject), "the direct message to ann");

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/inbox/{threadId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("closed");

        // 7. A second operator takes over: the same message is refused with 412 until their own test send.
        var api = fixture.Api.CreateClient();
        var signedIn = await OperatorTestSupport.SignInAsync(api, "ops2@example.test", OperatorSeed.DefaultPassword);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var token = (await signedIn.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString()!;
        Guid annId;
        await using (var db = fixture.CreateDbContext())
        {
            annId = await db.Recipients.Where(r => r.TenantId == tenant.Id && r.ExternalId == "ann").Select(r => r.Id).SingleAsync();
        }

        Task<HttpResponseMessage> DirectMessageAsync(bool testSend) => api.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/sys/users/{annId}/messages")
        {
            Content = JsonContent.Create(new { channels = new[] { "email" }, subject = dmSubject, body = dmBody, reason = "Taking over the maintenance thread", testSend }),
        }.With(token));
        var (status, type, _) = await OperatorTestSupport.ProblemAsync(await DirectMessageAsync(testSend: false));
        Assert.Equal(412, status);
        Assert.EndsWith("SysDirectMessageTestSendRequired", type, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await DirectMessageAsync(testSend: true)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await DirectMessageAsync(testSend: false)).StatusCode);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        // 8. Every step is in the audit log, as the operator who took it — and shown in the console's audit page.
        await using var audit = fixture.CreateDbContext();
        var broadcastActions = await audit.AuditLog.AsNoTracking().Where(a => a.Target == "broadcast:" + broadcastId).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.broadcast.created", "sys.broadcast.test_sent", "sys.broadcast.sent"], broadcastActions);
        var threadTarget = Comms.Core.SupportInbox.InboxAuditActions.Target(threadId);
        var threadActions = await audit.AuditLog.AsNoTracking().Where(a => a.Target == threadTarget).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.inbox.received", "sys.inbox.assigned", "sys.inbox.closed"], threadActions);
        var dms = await audit.AuditLog.AsNoTracking().Where(a => a.Target == "recipient:" + annId && a.Action.StartsWith("sys.user.direct_message."))
            .OrderBy(a => a.Id).Select(a => new { a.Action, a.Actor }).ToListAsync();
        Assert.Equal(["sys.user.direct_message.test_send", "sys.user.direct_message.sent", "sys.user.direct_message.test_send", "sys.user.direct_message.sent"],
            dms.Select(d => d.Action));
        Assert.Equal(2, dms.Select(d => d.Actor).Distinct().Count()); // two operators

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/audit?target=broadcast:{broadcastId}");
        await Assertions.Expect(page.GetByTestId("audit-row")).ToHaveCountAsync(3);
    }

    /// <summary>The notification center of a signed-in end user (the host product posts the user's token to /session/start).</summary>
    private async Task<IPage> UserPageAsync(TestTenant tenant, string user)
    {
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.SetContentAsync($"""
            <form method="post" action="{fixture.Web.BaseUrl}/session/start">
              <input type="hidden" name="token" value="{tenant.UserToken(user)}">
              <button>Notifications</button>
            </form>
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Notifications" }).ClickAsync();
        await page.WaitForURLAsync("**/notifications");
        return page;
    }
}
