using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// Broadcasts in the console, in Chromium: the composer counts the audience live as it changes (all tenants, one tenant); a draft to one tenant
/// (banner + email) is refused the send until the operator test-sends it (the test arrives in MailDev); a second
/// operator is refused too until their own test send; then the send goes out and the broadcast's page shows the
/// progress as sent. Every step is audited as the operator who took it.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleBroadcastsTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task A_broadcast_is_composed_with_a_live_count_refused_until_test_sent_and_sent_with_progress()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        var subject = $"Maintenance {Guid.NewGuid():N}";
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/broadcasts/new");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/broadcasts/new");

        // The live count follows the audience.
        var count = page.GetByTestId("audience-count");
        await Assertions.Expect(count).ToContainTextAsync("will receive this");
        await page.GetByLabel("Selected tenants").CheckAsync();
        await page.GetByLabel("Tenants (comma-separated ids)").FillAsync(tenant.Id);
        await Assertions.Expect(count).ToHaveTextAsync("2 recipients will receive this (in 1 tenant).");
        await page.GetByLabel("All tenants").CheckAsync();
        await Assertions.Expect(count).Not.ToContainTextAsync("in 1 tenant.");
        await ConsolePages.AssertAccessibleAsync(page);

        // Sent to this test's tenant only: a banner and an email to every tenant of the shared suite would reach other tests.
        await page.GetByLabel("Selected tenants").CheckAsync();
        await page.GetByLabel("Tenants (comma-separated ids)").FillAsync(tenant.Id);
        await Assertions.Expect(count).ToHaveTextAsync("2 recipients will receive this (in 1 tenant).");

        // An invalid draft is refused next to its fields.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(page.Locator("#title-error")).ToContainTextAsync("The title is required");

        await page.GetByLabel("Title").FillAsync("Sunday maintenance");
        await page.GetByLabel("banner").CheckAsync();
        await page.GetByLabel("email").CheckAsync();
        await page.GetByLabel("Subject").FillAsync(subject);
        await page.GetByLabel("Body (Liquid)").FillAsync("Hello {{ recipient.name }}, we restart Sunday 02:00 UTC.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await page.WaitForURLAsync("**/admin/broadcasts/*?done=saved");
        var id = Guid.Parse(new Uri(page.Url).AbsolutePath.Split('/')[^1]);
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("draft");
        await ConsolePages.AssertAccessibleAsync(page);

        // Refused until her own test send.
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("refusal")).ToContainTextAsync("Send a test first");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test send" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("The test is on its way");
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync("ops@example.test")).Any(m => m.Subject == subject), "the test send in MailDev");
        Assert.DoesNotContain(await fixture.Mailbox.ToAsync(tenant.EmailOf("ann")), m => m.Subject == subject);

        // A second operator has not tested it: refused until she does.
        var second = await ConsolePages.NewPageAsync(_browser, _problems);
        await second.GotoAsync($"{fixture.Web.BaseUrl}/admin/broadcasts/{id}");
        await ConsolePages.SignInAsync(second, "ops2@example.test", OperatorSeed.DefaultPassword);
        await second.WaitForURLAsync($"**/admin/broadcasts/{id}");
        await second.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(second.GetByTestId("refusal")).ToContainTextAsync("Send a test first");
        await second.GetByRole(AriaRole.Button, new() { Name = "Test send" }).ClickAsync();
        await Assertions.Expect(second.GetByTestId("notice")).ToContainTextAsync("The test is on its way");
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync("ops2@example.test")).Any(m => m.Subject == subject), "the second test send");

        // The first operator sends; the page shows the progress until everything is out.
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The broadcast is sending.");
        await Assertions.Expect(page.Locator("[data-testid=progress-row][data-channel=email]")).ToHaveCountAsync(1);
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf("ann"))).Any(m => m.Subject == subject), "the broadcast to ann");
        // No reload: the page follows the send and shows "sent" when everything is out.
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("sent");
        var sent = long.Parse(await page.Locator("[data-testid=progress-row][data-channel=email] [data-testid=progress-sent]").TextContentAsync() ?? "0",
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(sent >= 2, $"email sent: {sent}");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/broadcasts");
        var row = page.GetByTestId("broadcast-row").Filter(new() { HasText = "Sunday maintenance" }).First;
        await Assertions.Expect(row.GetByTestId("broadcast-status")).ToHaveTextAsync("sent");
        await Assertions.Expect(row.GetByTestId("broadcast-progress")).ToContainTextAsync("sent of");
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var db = fixture.CreateDbContext();
        var actions = await db.AuditLog.AsNoTracking().Where(a => a.Target == "broadcast:" + id).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.broadcast.created", "sys.broadcast.test_sent", "sys.broadcast.test_sent", "sys.broadcast.sent"], actions);
    }

    [Fact]
    public async Task A_sending_broadcast_is_paused_resumed_and_cancelled_from_its_page()
    {
        // A broadcast in the middle of sending, held there deterministically: its one event is due tomorrow.
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var now = DateTimeOffset.UtcNow;
        var id = Guid.CreateVersion7();
        var eventId = Guid.CreateVersion7();
        await using (var db = fixture.CreateDbContext())
        {
            db.Events.Add(new Comms.Core.Events.EventRecord
            {
                Id = eventId, TenantId = tenant.Id, Name = "sys.broadcast", Category = "system", CauseRef = "sys-broadcast:" + id, Recipients = ["ann"],
                DueAt = now.AddDays(1), SendAt = now.AddDays(1), CreatedAt = now,
            });
            db.SysBroadcasts.Add(new Comms.Core.Broadcasts.SysBroadcast
            {
                Id = id, Title = "Held broadcast", Audience = $$"""{"tenants":["{{tenant.Id}}"]}""", Channels = ["email"],
                Content = """{"email":{"subject":"Held","body":"Held"}}""", Status = "sending", EventIds = [eventId], CreatedBy = "operator:test",
                SentBy = "operator:test", CreatedAt = now, UpdatedAt = now, SendStartedAt = now,
            });
            await db.SaveChangesAsync();
        }

        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/broadcasts/{id}");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync($"**/admin/broadcasts/{id}");
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("sending");
        await Assertions.Expect(page.Locator("[data-testid=progress-row][data-channel=email]")).ToHaveCountAsync(1);
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("paused");
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The broadcast is paused.");
        await using (var db = fixture.CreateDbContext())
        {
            Assert.True((await db.Events.AsNoTracking().SingleAsync(e => e.Id == eventId)).DueAt > now.AddYears(500));
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("sending");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("cancelled");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToHaveCountAsync(0);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var audit = fixture.CreateDbContext();
        Assert.Equal("failed", (await audit.Events.AsNoTracking().SingleAsync(e => e.Id == eventId)).Status);
        var rows = await audit.AuditLog.AsNoTracking().Where(a => a.Target == "broadcast:" + id).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["sys.broadcast.paused", "sys.broadcast.resumed", "sys.broadcast.cancelled"], rows.Select(a => a.Action));
        Assert.All(rows, a => Assert.StartsWith("operator:", a.Actor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_operator_without_SysOperator_is_refused_the_broadcast_pages_and_the_audience_count()
    {
        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin");
        foreach (var path in new[] { "/admin/broadcasts", "/admin/broadcasts/new", "/admin/broadcasts/new?handler=AudienceCount&kind=all" })
        {
            var refused = await page.GotoAsync(fixture.Web.BaseUrl + path);
            Assert.EndsWith("/admin/denied", new Uri(refused!.Url).AbsolutePath, StringComparison.Ordinal);
        }
    }
}
