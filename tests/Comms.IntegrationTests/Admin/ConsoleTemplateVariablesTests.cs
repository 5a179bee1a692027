using System.Text.Json;
using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The template editor's variables table in Chromium: a variable added in the table is written into the JSON Schema
/// text and given a value in the sample payload, so the live preview renders with it; saved, it is in the stored
/// schema and the table shows it again. A schema the table cannot show is said so (the text stays authoritative), and
/// the server's schema validation shows next to the field as you type.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleTemplateVariablesTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task A_variable_added_in_the_table_is_saved_in_the_schema_and_used_by_the_preview()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        var url = $"{fixture.Web.BaseUrl}/admin/tenants/{tenant.Id}/templates/order.shipped/email/en-US";
        await page.GotoAsync(url);
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync($"**/admin/tenants/{tenant.Id}/templates/order.shipped/email/en-US");
        await page.GetByLabel("Category").SelectOptionAsync("account");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add variable" }).ClickAsync();
        await page.GetByLabel("Variable name").Last.FillAsync("first_name");
        await page.GetByLabel("Variable required").Last.CheckAsync();
        await page.GetByLabel("Variable description").Last.FillAsync("The recipient's first name");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add variable" }).ClickAsync();
        await page.GetByLabel("Variable name").Last.FillAsync("parcels");
        await page.GetByLabel("Variable type").Last.SelectOptionAsync("integer");

        var schema = page.GetByLabel("Variables (JSON Schema)");
        await Assertions.Expect(schema).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"required\": \\[\\s*\"first_name\"\\s*\\]"));
        await Assertions.Expect(page.GetByLabel("Sample payload (JSON, for the preview)")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"first_name\": \"Example first_name\""));
        await page.GetByLabel("Subject").FillAsync("{{ first_name }}, {{ parcels }} parcel(s) shipped");
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync("On their way.");
        await Assertions.Expect(page.GetByTestId("preview-subject")).ToHaveTextAsync("Example first_name, 1 parcel(s) shipped");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The draft was saved.");
        await using (var db = fixture.CreateDbContext())
        {
            var draft = await db.Templates.AsNoTracking().SingleAsync(t => t.TenantId == tenant.Id && t.Name == "order.shipped" && t.Version == null);
            using var stored = JsonDocument.Parse(draft.VariablesSchema!);
            var properties = stored.RootElement.GetProperty("properties");
            Assert.Equal("string", properties.GetProperty("first_name").GetProperty("type").GetString());
            Assert.Equal("The recipient's first name", properties.GetProperty("first_name").GetProperty("description").GetString());
            Assert.Equal("integer", properties.GetProperty("parcels").GetProperty("type").GetString());
            Assert.Equal(["first_name"], stored.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString()!));
        }

        // Opened again: the table shows the stored schema.
        await page.GotoAsync(url);
        await Assertions.Expect(page.GetByTestId("variable-row")).ToHaveCountAsync(2);
        var shown = await page.GetByTestId("variable-row").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => `${r.querySelector('[data-field=name]').value}:${r.querySelector('[data-field=type]').value}:${r.querySelector('[data-field=required]').checked}`)");
        Assert.Equal(["first_name:string:true", "parcels:integer:false"], shown.Order(StringComparer.Ordinal));

        // Something the table cannot show: it says so and locks; the text is what counts.
        await schema.FillAsync("""{"type":"object","properties":{"code":{"type":"string","minLength":4}}}""");
        await Assertions.Expect(page.GetByTestId("variables-problem")).ToContainTextAsync("'code' uses minLength");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add variable" })).ToBeDisabledAsync();

        // A schema the server refuses: its message (the same check as Save) shows next to the field as you type.
        await schema.FillAsync("""{"type":"object","required":[42]}""");
        await Assertions.Expect(page.GetByTestId("error-variablesSchema")).ToContainTextAsync("'required' must be a list of property names");
        await Assertions.Expect(schema).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("is-invalid"));
        await ConsolePages.AssertAccessibleAsync(page);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));
    }

    [Fact]
    public async Task A_reading_operator_sees_the_variables_but_cannot_change_them()
    {
        // demo's approver reads its templates (CommsApprover, not CommsEditor).
        var name = "vars." + Guid.NewGuid().ToString("N")[..8];
        await using (var db = fixture.CreateDbContext())
        {
            db.Templates.Add(new Comms.Core.Templates.Template
            {
                TenantId = "demo", Name = name, Channel = "email", Locale = "en-US", Category = "account", Status = Comms.Core.Templates.TemplateStatus.Draft,
                Content = new Comms.Core.Templates.TemplateContent { Subject = "Hi {{ who }}", Text = "Hello." },
                VariablesSchema = """{"type":"object","properties":{"who":{"type":"string","format":"email"}},"required":["who"]}""",
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, CreatedBy = "test",
            });
            await db.SaveChangesAsync();
        }

        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/demo/templates/{name}/email/en-US");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync($"**/admin/tenants/demo/templates/{name}/email/en-US");
        await Assertions.Expect(page.GetByLabel("Variable name")).ToHaveValueAsync("who");
        await Assertions.Expect(page.GetByLabel("Variable format")).ToHaveValueAsync("email");
        await Assertions.Expect(page.GetByLabel("Variable name")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add variable" })).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove variable" })).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("preview-subject")).ToHaveTextAsync("Hi ann@example.com");
        await ConsolePages.AssertAccessibleAsync(page);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));
    }
}
