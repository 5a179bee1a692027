using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// Operators in the console, in Chromium: a SysOperator finds an operator with their roles, locks them (fresh-auth
/// asked when the sign-in is old; audited) so that they cannot sign in, and unlocks them so that they can; a tenant's
/// approver gets 403 for the page.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleOperatorsTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task A_sys_operator_locks_an_operator_out_with_fresh_auth_and_unlocks_them()
    {
        var email = "viewer-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";
        Guid viewerId;
        await using (var scope = fixture.Api.Services.CreateAsyncScope())
        {
            viewerId = (await OperatorSeed.EnsureAsync(scope.ServiceProvider.GetRequiredService<UserManager<Operator>>(),
                scope.ServiceProvider.GetRequiredService<OperatorsDbContext>(), email, "Demo Viewer", OperatorSeed.DefaultPassword,
                OperatorRoles.CommsViewer, "demo", TimeProvider.System)).Id;
        }

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var web = new WebServer(fixture.Settings, services => services.AddSingleton<TimeProvider>(clock));
        web.Start();
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{web.BaseUrl}/admin/operators");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/operators");
        await page.GetByLabel("Email or name").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("operator-roles")).ToHaveTextAsync(["CommsViewer of demo"]);
        await Assertions.Expect(page.GetByTestId("operator-status")).ToHaveTextAsync(["active"]);
        await ConsolePages.AssertAccessibleAsync(page);

        clock.Advance(TimeSpan.FromMinutes(6));
        await page.GetByRole(AriaRole.Button, new() { Name = "Lock " + email }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("fresh-auth")).ToContainTextAsync("password");
        await Assertions.Expect(page.GetByTestId("operator-status")).ToHaveTextAsync(["active"]);
        await ConsolePages.AssertAccessibleAsync(page);
        await page.GetByLabel("Confirm your password").FillAsync(OperatorSeed.DefaultPassword);
        await page.GetByTestId("confirm").GetByRole(AriaRole.Button, new() { Name = "Lock " + email }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("is locked");
        await Assertions.Expect(page.GetByTestId("operator-status")).ToHaveTextAsync(["locked"]);

        var locked = await ConsolePages.NewPageAsync(_browser, []);
        await locked.GotoAsync($"{web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(locked, email, OperatorSeed.DefaultPassword);
        await Assertions.Expect(locked.GetByTestId("sign-in-error")).ToHaveTextAsync("This account is locked by a platform operator: ask one to unlock it.");

        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock " + email }).ClickAsync(); // fresh now: no prompt
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("is unlocked");
        await Assertions.Expect(page.GetByTestId("operator-status")).ToHaveTextAsync(["active"]);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        var unlocked = await ConsolePages.NewPageAsync(_browser, []);
        await unlocked.GotoAsync($"{web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(unlocked, email, OperatorSeed.DefaultPassword);
        await unlocked.WaitForURLAsync("**/admin");
        await Assertions.Expect(unlocked.GetByTestId("operator-name")).ToHaveTextAsync("Demo Viewer");

        await using var db = fixture.CreateDbContext();
        var actions = await db.AuditLog.AsNoTracking().Where(a => a.Target == "operator:" + viewerId && a.Action.StartsWith("sys.operator.") && a.Action.EndsWith("locked"))
            .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.operator.locked", "sys.operator.unlocked"], actions);
    }

    [Fact]
    public async Task A_sys_operator_grants_and_revokes_roles_and_the_operator_signs_in_with_the_new_ones()
    {
        var email = "role-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";
        Guid id;
        await using (var scope = fixture.Api.Services.CreateAsyncScope())
        {
            id = (await OperatorSeed.EnsureAsync(scope.ServiceProvider.GetRequiredService<UserManager<Operator>>(),
                scope.ServiceProvider.GetRequiredService<OperatorsDbContext>(), email, "Role Test", OperatorSeed.DefaultPassword,
                OperatorRoles.CommsViewer, "demo", TimeProvider.System)).Id;
        }

        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/operators?q={email}");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/operators?q=*");
        await page.GetByRole(AriaRole.Link, new() { Name = email }).ClickAsync();
        await page.WaitForURLAsync($"**/admin/operators/{id}");
        await Assertions.Expect(page.GetByTestId("grant-role")).ToHaveTextAsync([OperatorRoles.CommsViewer]);

        await page.GetByLabel("Role").SelectOptionAsync(OperatorRoles.CommsEditor);
        await page.GetByLabel("Tenant (empty for SysOperator)").FillAsync("no-such-tenant");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant role" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-tenant")).ToHaveTextAsync("There is no tenant 'no-such-tenant'.");
        await ConsolePages.AssertAccessibleAsync(page);
        await page.GetByLabel("Tenant (empty for SysOperator)").FillAsync("demo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant role" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("CommsEditor of demo was granted.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke CommsViewer demo" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("CommsViewer of demo was revoked.");
        await Assertions.Expect(page.GetByTestId("grant-role")).ToHaveTextAsync([OperatorRoles.CommsEditor]);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        var editor = await ConsolePages.NewPageAsync(_browser, []);
        await editor.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/demo/api-keys");
        await ConsolePages.SignInAsync(editor, email, OperatorSeed.DefaultPassword);
        await editor.WaitForURLAsync("**/admin/tenants/demo/api-keys");
        await Assertions.Expect(editor.GetByRole(AriaRole.Button, new() { Name = "Create key" })).ToBeEnabledAsync();

        await using var db = fixture.CreateDbContext();
        var actions = await db.AuditLog.AsNoTracking().Where(a => a.Target == "operator:" + id).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.operator.role_granted", "sys.operator.role_revoked"], actions.Where(a => a.StartsWith("sys.operator.role_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_invited_operator_signs_in_with_the_password_shown_once()
    {
        var email = "invited-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/operators");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/operators");
        await page.GetByRole(AriaRole.Link, new() { Name = "Invite an operator" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync("ops@example.test");
        await page.GetByLabel("Name").FillAsync("Invited One");
        await page.GetByLabel("Role").SelectOptionAsync(OperatorRoles.CommsViewer);
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-email")).ToHaveTextAsync("An operator with this email exists already.");
        await Assertions.Expect(page.GetByTestId("error-tenant")).ToHaveTextAsync("This role is granted for one tenant: enter its id.");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Tenant (empty for SysOperator)").FillAsync("demo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        var password = (await page.GetByTestId("created-password").TextContentAsync())!.Trim();
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        var invited = await ConsolePages.NewPageAsync(_browser, []);
        await invited.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants");
        await ConsolePages.SignInAsync(invited, email, password);
        await invited.WaitForURLAsync("**/admin/tenants");
        Assert.Equal(["demo"], await invited.GetByTestId("tenant-id").AllTextContentsAsync());

        Guid id;
        await using (var scope = fixture.Api.Services.CreateAsyncScope())
        {
            id = (await scope.ServiceProvider.GetRequiredService<UserManager<Operator>>().FindByEmailAsync(email))!.Id;
        }

        await using var db = fixture.CreateDbContext();
        var audit = await db.AuditLog.AsNoTracking().SingleAsync(a => a.Action == "sys.operator.invited" && a.Target == "operator:" + id);
        Assert.Equal("demo", audit.TenantId);
        Assert.DoesNotContain(password, audit.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenants_approver_gets_403_for_the_operators_page()
    {
        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Operators" })).ToHaveCountAsync(0);
        var refused = await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/operators");
        Assert.Equal(403, refused!.Status);
    }
}
