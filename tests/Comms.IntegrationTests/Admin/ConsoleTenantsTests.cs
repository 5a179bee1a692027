using System.Net;
using System.Net.Http.Headers;
using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// Onboarding in the console, in Chromium: a platform operator creates a tenant (validation next to the field; the
/// first admin key shown once, and it works against the API), creates and revokes a key; a sign-in older than the
/// fresh-auth window is asked for the password before a key is created, and the action then goes on; a tenant's
/// approver sees only their tenant, read-only — a POST with the controls re-enabled is refused, another tenant is 404.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleTenantsTests(CommsFixture fixture) : IAsyncLifetime
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
    public async Task An_operator_onboards_a_tenant_and_creates_and_revokes_a_key()
    {
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/tenants");
        await ConsolePages.AssertAccessibleAsync(page);

        var id = "console-" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Id", new() { Exact = true }).FillAsync("Not An Id");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Console Co");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-id")).ToContainTextAsync("id");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByLabel("Id", new() { Exact = true }).FillAsync(id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        var adminKey = await page.GetByTestId("created-key").TextContentAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusWithKeyAsync(adminKey!));

        await page.GetByRole(AriaRole.Link, new() { Name = $"API keys of {id}" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("ci");
        await page.GetByLabel("admin").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var ciKey = await page.GetByTestId("created-key").TextContentAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusWithKeyAsync(ciKey!));
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke ci" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("revoked");
        await Comms.TestServers.Poll.UntilAsync(async () => await StatusWithKeyAsync(ciKey!) == HttpStatusCode.Unauthorized,
            "the revoked key to be refused by the API");
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var db = fixture.CreateDbContext();
        var actions = db.AuditLog.Where(a => a.TenantId == id).Select(a => a.Action).ToList();
        Assert.Equal(["api_key.created", "api_key.revoked", "sys.tenant.created"], actions.Order());
    }

    [Fact]
    public async Task A_sign_in_older_than_the_fresh_auth_window_is_asked_for_the_password_and_the_action_goes_on()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var web = new WebServer(fixture.Settings, services => services.AddSingleton<TimeProvider>(clock));
        web.Start();
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{web.BaseUrl}/admin/tenants/demo/api-keys");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/tenants/demo/api-keys");

        clock.Advance(TimeSpan.FromMinutes(6));
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("late");
        await page.GetByLabel("editor").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("fresh-auth")).ToContainTextAsync("password");
        await Assertions.Expect(page.GetByTestId("created")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("late"); // what was typed is kept
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByLabel("Confirm your password").FillAsync("wrong-password-1!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("fresh-auth")).ToContainTextAsync("not right");

        await page.GetByLabel("Confirm your password").FillAsync(OperatorSeed.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("created")).ToContainTextAsync("late");

        // The session is fresh again: the next sensitive action goes through without asking.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("later");
        await page.GetByLabel("editor").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("created")).ToContainTextAsync("later");
    }

    [Fact]
    public async Task A_tenants_approver_sees_only_their_tenant_read_only()
    {
        var other = await TestTenant.CreateAsync(fixture);
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/tenants");
        Assert.Equal(["demo"], await page.GetByTestId("tenant-id").AllTextContentsAsync());
        await Assertions.Expect(page.GetByTestId("create-tenant")).ToHaveCountAsync(0);

        var refused = await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/{other.Id}/api-keys");
        Assert.Equal(404, refused!.Status);

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/tenants/demo/api-keys");
        await Assertions.Expect(page.GetByTestId("read-only")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create key" })).ToBeDisabledAsync();
        await ConsolePages.AssertAccessibleAsync(page);

        // Re-enabling the controls does not help: the POST itself is refused.
        await page.EvaluateAsync("document.querySelectorAll('[disabled]').forEach(e => e.removeAttribute('disabled'))");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("sneaky");
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync(), r => r.Url.Contains("/admin/denied", StringComparison.Ordinal));
        Assert.Equal(403, answer.Status);
        await using var db = fixture.CreateDbContext();
        Assert.DoesNotContain(db.ApiKeys.Where(k => k.TenantId == "demo").Select(k => k.Name).ToList(), n => n == "sneaky");
    }

    private async Task<HttpStatusCode> StatusWithKeyAsync(string key)
    {
        using var client = fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        using var response = await client.GetAsync("/v1/api-keys");
        return response.StatusCode;
    }
}
