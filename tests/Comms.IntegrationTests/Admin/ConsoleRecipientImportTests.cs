using System.Text;
using Comms.Core.Operators;
using Comms.Core.Recipients.Bulk;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The console's CSV import of recipients, in Chromium: valid rows are stored beside an invalid one (named by line and
/// column), a second import of the same file changes nothing, a file of the wrong shape stores nothing and says why, the
/// import is audited with counts only; the approver of <c>demo</c> sees the form disabled and a forced POST is 403.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleRecipientImportTests(CommsFixture fixture) : IAsyncLifetime
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

    private static FilePayload Csv(string text) => new() { Name = "people.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(text) };

    [Fact]
    public async Task An_operator_imports_a_csv_then_the_same_file_again_changes_nothing()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        const string file = "externalId,name,email,roles,attributes.plan\r\n"
            + "imp-ann,Ann,ann@example.test,admin;billing,pro\r\n"
            + "imp-bob,\"Bob, Jr.\",bob@example.test,,\r\n"
            + "imp-cat,Cat,not-an-address,,\r\n"
            + "imp-dan,Dan,,,free\r\n";

        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/recipients?tenant={tenant.Id}");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.GetByTestId("import-link").ClickAsync();
        await page.WaitForURLAsync($"**/admin/recipients/import?tenant={tenant.Id}");
        await Assertions.Expect(page.GetByLabel("Tenant")).ToHaveValueAsync(tenant.Id);
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByLabel("CSV file").SetInputFilesAsync(Csv(file));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-summary")).ToHaveTextAsync("4 rows: 3 created, 0 updated, 0 unchanged, 1 invalid.");
        await Assertions.Expect(page.GetByTestId("problem-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("problem-row")).ToContainTextAsync("4");
        await Assertions.Expect(page.GetByTestId("problem-row")).ToContainTextAsync("imp-cat");
        await Assertions.Expect(page.GetByTestId("problem-row")).ToContainTextAsync("email:");
        await ConsolePages.AssertAccessibleAsync(page);

        await using (var db = fixture.CreateDbContext())
        {
            var stored = await db.Recipients.AsNoTracking().Where(r => r.TenantId == tenant.Id && r.ExternalId.StartsWith("imp-"))
                .OrderBy(r => r.ExternalId).ToListAsync();
            Assert.Equal(["imp-ann", "imp-bob", "imp-dan"], stored.Select(r => r.ExternalId));
            Assert.Equal("Bob, Jr.", stored[1].Name);
            Assert.Equal(["admin", "billing"], stored[0].Roles);
            Assert.Contains("\"plan\"", stored[0].Attributes, StringComparison.Ordinal);
        }

        await page.GetByLabel("CSV file").SetInputFilesAsync(Csv(file));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-summary")).ToHaveTextAsync("4 rows: 0 created, 0 updated, 3 unchanged, 1 invalid.");

        await page.GetByLabel("CSV file").SetInputFilesAsync(Csv("externalId,mobile\r\nimp-eve,+4915112345678\r\n"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-error")).ToContainTextAsync("Unknown column 'mobile'");
        await Assertions.Expect(page.GetByTestId("import-error")).ToContainTextAsync("Nothing was imported.");
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var check = fixture.CreateDbContext();
        Assert.False(await check.Recipients.AnyAsync(r => r.TenantId == tenant.Id && r.ExternalId == "imp-eve"));
        var audits = await check.AuditLog.AsNoTracking()
            .Where(a => a.TenantId == tenant.Id && a.Action == RecipientCsvImport.ImportedAction).ToListAsync();
        Assert.Equal(2, audits.Count);
        Assert.All(audits, a => Assert.StartsWith("operator:", a.Actor, StringComparison.Ordinal));
        Assert.All(audits, a => Assert.DoesNotContain("@", a.Metadata, StringComparison.Ordinal));
        Assert.Contains(audits, a => a.Metadata!.Replace(" ", "", StringComparison.Ordinal).Contains("\"created\":3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_approver_of_demo_sees_the_import_disabled_and_a_forced_post_is_refused()
    {
        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/recipients/import");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/recipients/import");
        await Assertions.Expect(page.GetByLabel("Tenant")).ToHaveValueAsync("demo");
        await Assertions.Expect(page.GetByTestId("read-only")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Import" })).ToBeDisabledAsync();
        await ConsolePages.AssertAccessibleAsync(page);

        var externalId = "imp-forced-" + Guid.NewGuid().ToString("N")[..8];
        await page.EvaluateAsync("document.querySelectorAll('[disabled]').forEach(e => e.removeAttribute('disabled'))");
        await page.GetByLabel("CSV file").SetInputFilesAsync(Csv($"externalId\r\n{externalId}\r\n"));
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync(), r => r.Url.Contains("/admin/denied", StringComparison.Ordinal));
        Assert.Equal(403, answer.Status);
        await using var check = fixture.CreateDbContext();
        Assert.False(await check.Recipients.AnyAsync(r => r.TenantId == "demo" && r.ExternalId == externalId));
    }
}
