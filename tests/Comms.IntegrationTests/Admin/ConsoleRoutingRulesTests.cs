using System.Net;
using System.Net.Http.Json;
using Comms.Core.Messages;
using Comms.Core.Operators;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The routing-rule editor in Chromium: the API's validation shown next to the field (a channel the template has no
/// content for), a rule created and routing the next event on its channels, edited, and deleted (events refused);
/// a tenant's approver sees the editor read-only.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleRoutingRulesTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task An_operator_creates_edits_and_deletes_a_rule_with_the_apis_validation_next_to_the_fields()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await tenant.AddTemplateAsync("order.shipped", Channel.InApp, new TemplateContent { Title = "Shipped", Body = "On its way." });
        await tenant.AddTemplateAsync("order.shipped", Channel.Email, new TemplateContent { Subject = "Shipped", Text = "On its way." });
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/routing-rules");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/routing-rules");

        await page.GetByLabel("Event name").FillAsync("order.shipped");
        await page.GetByLabel("Template", new() { Exact = true }).FillAsync("order.shipped");
        await page.GetByLabel("Category").SelectOptionAsync("account");
        await page.GetByLabel("Channels, in order of preference").FillAsync("in_app, sms");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-channels")).ToContainTextAsync("no 'sms' content");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByLabel("Channels, in order of preference").FillAsync("in_app, email");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("Rule 'order.shipped' was created.");
        await Assertions.Expect(Row(page).GetByTestId("rule-channels")).ToHaveTextAsync("in_app → email");
        var routed = await tenant.DecisionsAsync(await tenant.PostEventAsync(new { name = "order.shipped", recipients = new[] { "ann" }, causeRef = "o:1", payload = new { } }));
        Assert.Equal([Channel.Email, Channel.InApp], routed.Select(d => d.Channel).Order());

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit order.shipped" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Channels, in order of preference")).ToHaveValueAsync("in_app, email");

        // A test event from the browser: the delivery log opens filtered to it, with a message per channel.
        await page.GetByLabel("Recipient (external id)").FillAsync("ann");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        await page.WaitForURLAsync($"**/admin/messages?tenant={tenant.Id}&event=*");
        await Comms.TestServers.Poll.UntilAsync(async () =>
        {
            await page.ReloadAsync();
            return (await page.GetByTestId("message-channel").AllTextContentsAsync()).Order().SequenceEqual([Channel.Email, Channel.InApp]);
        }, "the test event's two messages in the delivery log");
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/routing-rules?event=order.shipped");
        await page.GetByLabel("Channels, in order of preference").FillAsync("email");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("Rule 'order.shipped' was saved.");
        await Assertions.Expect(Row(page).GetByTestId("rule-channels")).ToHaveTextAsync("email");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete order.shipped" }).ClickAsync();
        await Assertions.Expect(Row(page)).ToHaveCountAsync(0);
        using var refused = await tenant.ApiClient().PostAsJsonAsync("/v1/events", new { name = "order.shipped", recipients = new[] { "ann" }, causeRef = "o:2", payload = new { } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        var approver = await ConsolePages.NewPageAsync(_browser, []);
        await approver.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/demo/routing-rules");
        await ConsolePages.SignInAsync(approver, "approver@example.test", OperatorSeed.DefaultPassword);
        await approver.WaitForURLAsync("**/admin/tenants/demo/routing-rules");
        await Assertions.Expect(approver.GetByRole(AriaRole.Button, new() { Name = "Save rule" })).ToBeDisabledAsync();
    }

    private static ILocator Row(IPage page) => page.GetByTestId("rule-row").Filter(new() { Has = page.GetByTestId("rule-event").GetByText("order.shipped", new() { Exact = true }) });
}
