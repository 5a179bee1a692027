using Comms.Core.Audit;
using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// The operator console in a real Chromium: signing in (a wrong password is refused and says so; the page asked for is
/// where sign-in returns), the operations dashboard and the audit log (a tenant's approver sees only that tenant's
/// rows), signing out, and a session ended by "sign out everywhere"; no serious accessibility problems and no CSP
/// violations on any page.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleSignInTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task An_operator_signs_in_sees_the_dashboard_and_the_audit_log_and_signs_out()
    {
        var page = await NewPageAsync();
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/audit");
        await page.WaitForURLAsync("**/admin/sign-in?ReturnUrl=%2Fadmin%2Faudit");
        await AssertAccessibleAsync(page);

        await SignInAsync(page, "ops@example.test", "not-the-password");
        await Assertions.Expect(page.GetByTestId("sign-in-error")).ToHaveTextAsync("The email or password is wrong.");

        await SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/audit");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log" })).ToBeVisibleAsync();
        await page.GetByLabel("Action (or prefix ending in a dot)").FillAsync("sys.operator.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-action").First).ToHaveTextAsync("sys.operator.signed_in");
        await AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Operations" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("scope")).ToContainTextAsync("All tenants.");
        await Assertions.Expect(page.Locator("[data-testid=channels] tbody tr")).ToHaveCountAsync(5);
        await AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/admin/sign-in");
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await page.WaitForURLAsync("**/admin/sign-in?ReturnUrl=%2Fadmin");
        Assert.True(_problems.Count == 0, "Browser console errors, CSP violations or failed requests:\n" + string.Join("\n", _problems));
    }

    [Fact]
    public async Task A_tenants_approver_sees_only_that_tenants_audit_rows_and_figures()
    {
        var other = await TestTenant.CreateAsync(fixture);
        var audit = fixture.Web.Services.GetRequiredService<AuditLog>();
        var marker = Guid.NewGuid().ToString("N");
        await audit.AppendAsync("demo", "sys", "test.console_scope", $"demo:{marker}", null, CancellationToken.None);
        await audit.AppendAsync(other.Id, "sys", "test.console_scope", $"other:{marker}", null, CancellationToken.None);
        await audit.AppendAsync(null, "sys", "test.console_scope", $"platform:{marker}", null, CancellationToken.None);

        var page = await NewPageAsync();
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/audit?action=test.console_scope");
        await SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/audit?action=test.console_scope");
        var targets = await page.GetByTestId("audit-target").AllTextContentsAsync();
        Assert.Contains($"demo:{marker}", targets);
        Assert.DoesNotContain($"other:{marker}", targets);
        Assert.DoesNotContain($"platform:{marker}", targets);

        // Tampering with the filter does not widen the scope.
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/audit?action=test.console_scope&tenant={other.Id}");
        await Assertions.Expect(page.GetByTestId("audit-empty")).ToBeVisibleAsync();
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await Assertions.Expect(page.GetByTestId("scope")).ToContainTextAsync("Tenants: demo.");
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_a_console_session()
    {
        var page = await NewPageAsync();
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await SignInAsync(page, "ops2@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin");
        await Assertions.Expect(page.GetByTestId("operator-name")).ToBeVisibleAsync();

        Guid id;
        using (var scope = fixture.Api.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Operator>>();
            var ops2 = (await users.FindByEmailAsync("ops2@example.test"))!;
            await users.UpdateSecurityStampAsync(ops2);
            id = ops2.Id;
        }

        fixture.Web.Services.GetRequiredService<OperatorStamps>().Forget(id); // as if its 10-s cache had run out
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await page.WaitForURLAsync("**/admin/sign-in?ReturnUrl=%2Fadmin");
    }

    private Task<IPage> NewPageAsync() => ConsolePages.NewPageAsync(_browser, _problems);

    private static Task SignInAsync(IPage page, string email, string password) => ConsolePages.SignInAsync(page, email, password);

    private static Task AssertAccessibleAsync(IPage page) => ConsolePages.AssertAccessibleAsync(page);
}
