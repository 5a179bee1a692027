using System.Net.Http.Json;
using Comms.Core.Messages;
using Comms.Core.Operators;
using Comms.Core.Templates;
using Comms.IntegrationTests.Feedback;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The delivery log in the console, in Chromium: a dead-lettered webhook message is found by filters (provider too), its page
/// shows the error, every attempt (provider, outcome, response), what was rendered and its event's decisions, and Re-send
/// delivers it once the endpoint accepts (audited as the operator; a second attempt row); another tenant's approver gets 404 for it.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleMessagesTests(CommsFixture fixture) : IAsyncLifetime
{
    private readonly WireMockServer _hook = WireMockServer.Start();
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
        _hook.Stop();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task An_operator_finds_a_dead_letter_sees_why_and_what_was_rendered_and_re_sends_it()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync("order.shipped", Channel.Webhook, new TemplateContent { Json = """{"orderId":"{{ order_id }}"}""" });
        await tenant.SetRuleAsync("order.shipped", new { templateName = "order.shipped", category = "account", channels = new[] { Channel.Webhook } });
        _hook.Given(Request.Create().WithPath("/hook").UsingPost()).AtPriority(10).RespondWith(Response.Create().WithStatusCode(400));
        (await tenant.ApiClient().PostAsJsonAsync("/v1/webhook-endpoints", new { url = $"http://127.0.0.1:{_hook.Port}/hook", eventTypes = new[] { "order.shipped" } }))
            .EnsureSuccessStatusCode();
        var eventId = await tenant.PostEventAsync(new { name = "order.shipped", recipients = new[] { "alice" }, causeRef = "order:C-1", payload = new { order_id = "C-1" } });
        var failed = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Webhook, MessageStatus.Failed);

        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/messages?tenant={tenant.Id}");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync($"**/admin/messages?tenant={tenant.Id}");
        await page.GetByLabel("Status").SelectOptionAsync("failed");
        await page.GetByLabel("Provider").SelectOptionAsync("smtp");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("messages-empty")).ToBeVisibleAsync();
        await page.GetByLabel("Provider").SelectOptionAsync("webhook");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("message-status")).ToHaveTextAsync(["failed"]);
        await Assertions.Expect(page.GetByTestId("message-provider")).ToHaveTextAsync(["webhook"]);
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "webhook to alice" }).ClickAsync();
        await page.WaitForURLAsync($"**/admin/messages/{failed.Id}");
        await Assertions.Expect(page.GetByTestId("last-error")).ToContainTextAsync("answered HTTP 400");
        await Assertions.Expect(page.GetByTestId("render-json")).ToContainTextAsync("\"orderId\":\"C-1\"");
        await Assertions.Expect(page.GetByTestId("decision-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("provider")).ToHaveTextAsync("webhook");
        await Assertions.Expect(page.GetByTestId("attempt-provider")).ToHaveTextAsync(["webhook"]);
        await Assertions.Expect(page.GetByTestId("attempt-outcome")).ToHaveTextAsync(["permanent"]);
        await Assertions.Expect(page.GetByTestId("attempt-response")).ToHaveTextAsync(["400 BadRequest"]);
        await ConsolePages.AssertAccessibleAsync(page);

        _hook.Given(Request.Create().WithPath("/hook").UsingPost()).AtPriority(1).RespondWith(Response.Create().WithStatusCode(200));
        await page.GetByRole(AriaRole.Button, new() { Name = "Re-send" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The message is queued again.");
        await Poll.UntilAsync(async () => (await FeedbackTestSupport.ReloadAsync(fixture, failed.Id)).Status == MessageStatus.Sent, "the re-sent message to be sent");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("sent");
        await Assertions.Expect(page.GetByTestId("attempt-outcome")).ToHaveTextAsync(["permanent", "sent"]);
        await Assertions.Expect(page.GetByTestId("attempt-response")).ToHaveTextAsync(["400 BadRequest", "200 OK"]);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var db = fixture.CreateDbContext();
        var resend = await db.AuditLog.AsNoTracking().SingleAsync(a => a.TenantId == tenant.Id && a.Action == "message.resend");
        Assert.StartsWith("operator:", resend.Actor, StringComparison.Ordinal);

        var approver = await ConsolePages.NewPageAsync(_browser, []);
        await approver.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(approver, "approver@example.test", OperatorSeed.DefaultPassword);
        await approver.WaitForURLAsync("**/admin");
        var refused = await approver.GotoAsync($"{fixture.Web.BaseUrl}/admin/messages/{failed.Id}");
        Assert.Equal(404, refused!.Status);
    }
}
