using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The template editor in Chromium: a new email template previewed live as it is typed (rendered on the server with a
/// sample payload), saved and published, a second version diffed with the first and with another locale; a critical
/// template waits for approval, its author cannot approve it, another operator does.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleTemplatesTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task An_operator_writes_a_template_with_a_live_preview_publishes_it_and_compares_versions_and_locales()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/templates");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/templates");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("promo.sale");
        await page.GetByLabel("Channel").SelectOptionAsync("email");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await page.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/templates/promo.sale/email/en-US");

        await page.GetByLabel("Category").SelectOptionAsync("promotions");
        await page.GetByLabel("Sample payload (JSON, for the preview)").FillAsync("""{"name":"Ann"}""");
        await page.GetByLabel("Subject").FillAsync("Sale for {{ name }}");
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync("Hi {{ name }},\n20% off today.");
        await Assertions.Expect(page.GetByTestId("preview-subject")).ToHaveTextAsync("Sale for Ann"); // no reload: rendered as typed
        await ConsolePages.ScreenshotAsync(page, "console-template-editor.png");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("Version 1 is published.");
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync("Hi {{ name }},\n30% off today.\nSee you soon.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("Version 2 is published.");

        await page.GetByLabel("Compare version (0 = draft)").FillAsync("1");
        await page.GetByLabel("with version").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("diff-text")).ToContainTextAsync("- 20% off today.");
        await Assertions.Expect(page.GetByTestId("diff-text")).ToContainTextAsync("+ 30% off today.");
        await Assertions.Expect(page.GetByTestId("diff-text")).ToContainTextAsync("+ See you soon.");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/templates/promo.sale/email/de-DE");
        await page.GetByLabel("Category").SelectOptionAsync("promotions");
        await page.GetByLabel("Subject").FillAsync("Angebot für {{ name }}");
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync("Hallo {{ name }},\n30% Rabatt.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The draft was saved.");
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/templates/promo.sale/email/en-US?otherLocale=de-DE");
        await Assertions.Expect(page.GetByTestId("diff-title")).ToContainTextAsync("en-US → de-DE");
        await Assertions.Expect(page.GetByTestId("diff-subject")).ToContainTextAsync("+ Angebot für {{ name }}");
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));
    }

    [Fact]
    public async Task A_critical_template_waits_for_another_operators_approval()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var author = await ConsolePages.NewPageAsync(_browser, _problems);
        await author.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/templates/security.alert/email/en-US");
        await ConsolePages.SignInAsync(author, "ops@example.test", OperatorSeed.DefaultPassword);
        await author.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/templates/security.alert/email/en-US");
        await author.GetByLabel("Category").SelectOptionAsync("security");
        await author.GetByLabel("Subject").FillAsync("New sign-in");
        await author.GetByLabel("Text", new() { Exact = true }).FillAsync("Someone signed in.");
        await author.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(author.GetByTestId("notice")).ToContainTextAsync("waits for approval");

        await author.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/templates");
        await author.GetByRole(AriaRole.Button, new() { Name = "Approve security.alert" }).ClickAsync();
        await Assertions.Expect(author.GetByTestId("notice")).Not.ToContainTextAsync("was approved");

        var approver = await ConsolePages.NewPageAsync(_browser, _problems);
        await approver.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/templates");
        await ConsolePages.SignInAsync(approver, "ops2@example.test", OperatorSeed.DefaultPassword);
        await approver.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/templates");
        await approver.GetByRole(AriaRole.Link, new() { Name = "See the draft and its diff of security.alert" }).ClickAsync();
        await Assertions.Expect(approver.GetByTestId("diff-subject")).ToContainTextAsync("+ New sign-in");
        await approver.GoBackAsync();
        await approver.GetByLabel("Comment (kept in the audit log)").FillAsync("Wording checked with security");
        await approver.GetByRole(AriaRole.Button, new() { Name = "Approve security.alert" }).ClickAsync();
        await Assertions.Expect(approver.GetByTestId("notice")).ToContainTextAsync("was approved and published");
        await Assertions.Expect(approver.GetByTestId("no-pending")).ToBeVisibleAsync();

        await using var db = fixture.CreateDbContext();
        var published = await db.Templates.AsNoTracking().SingleAsync(t => t.TenantId == tenant.Id && t.Name == "security.alert" && t.Version == 1);
        Assert.StartsWith("operator:", published.ApprovedBy, StringComparison.Ordinal);
        Assert.NotEqual(published.SubmittedBy, published.ApprovedBy);
        var decision = await db.AuditLog.AsNoTracking().SingleAsync(a => a.TenantId == tenant.Id && a.Action == "template.approved");
        Assert.Contains("Wording checked with security", decision.Metadata, StringComparison.Ordinal);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));
    }
}
