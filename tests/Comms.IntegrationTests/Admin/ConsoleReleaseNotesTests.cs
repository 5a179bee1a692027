using System.Globalization;
using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.Admin;

/// <summary>
/// Release notes in the console, in Chromium: a note is written (refused beside its fields first), published as public and
/// shown on the public /changelog without its internal body; announced, it becomes a broadcast draft of its public fields
/// that goes through the broadcasts' gate (refused until the operator's test send) and reaches the chosen tenant's users.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ConsoleReleaseNotesTests(CommsFixture fixture) : IAsyncLifetime
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

    private static string NewVersion() => $"7.{Random.Shared.Next(1, 999_999_999).ToString(CultureInfo.InvariantCulture)}.0";

    private async Task<(IPage Page, Guid Id)> PublishedNoteAsync(string version, string title, bool withChannels)
    {
        var page = await ConsolePages.NewPageAsync(_browser, _problems);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/release-notes");
        await ConsolePages.SignInAsync(page, "ops@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin/release-notes");
        await page.GetByRole(AriaRole.Link, new() { Name = "New release note" }).ClickAsync();

        await page.GetByLabel("Version").FillAsync("not a version");
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#version-error")).ToContainTextAsync("semantic version");

        await page.GetByLabel("Version").FillAsync(version);
        await page.GetByLabel("Public body (Markdown; what customers see)").FillAsync("Faster **digests** for everyone.");
        await page.GetByLabel("Internal body (Markdown; operators only, never public)").FillAsync("INTERNAL: rolled back twice on staging");
        await page.GetByLabel("Added (one a line)").FillAsync("Digest previews\nA changelog feed");
        await page.GetByLabel("Fixed (one a line)").FillAsync("Quiet hours across midnight");
        await page.GetByLabel("Pull requests (https URLs, one a line)").FillAsync("https://github.example.test/comms/pull/4242");
        await page.GetByLabel("Visibility").SelectOptionAsync("public");
        if (withChannels)
        {
            await page.GetByLabel("in-app (banner)").CheckAsync();
            await page.GetByLabel("email").CheckAsync();
        }

        await ConsolePages.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The release note is saved.");
        var id = Guid.Parse(new Uri(page.Url).AbsolutePath.Split('/')[^1]);
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("draft");

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The release note is published.");
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("published");
        await ConsolePages.AssertAccessibleAsync(page);
        return (page, id);
    }

    [Fact]
    public async Task A_note_is_created_published_public_and_shown_on_the_changelog_without_its_internal_body()
    {
        var version = NewVersion();
        var (page, id) = await PublishedNoteAsync(version, "Faster digests", withChannels: false);

        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin/release-notes");
        var row = page.GetByTestId("release-note-row").Filter(new() { HasText = version });
        await Assertions.Expect(row.GetByTestId("release-note-status")).ToHaveTextAsync("published");
        await ConsolePages.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Public changelog" }).ClickAsync();
        await page.WaitForURLAsync("**/changelog");
        var entry = page.Locator($"[data-testid=changelog-entry][id='v-{version}']");
        await Assertions.Expect(entry).ToContainTextAsync("Faster digests");
        await Assertions.Expect(entry.Locator("strong")).ToHaveTextAsync("digests");
        await Assertions.Expect(entry).ToContainTextAsync("Quiet hours across midnight");
        var html = await page.ContentAsync();
        Assert.DoesNotContain("INTERNAL: rolled back", html, StringComparison.Ordinal);
        Assert.DoesNotContain("pull/4242", html, StringComparison.Ordinal);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var db = fixture.CreateDbContext();
        var actions = await db.AuditLog.AsNoTracking().Where(a => a.Target == "release_note:" + id).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.release_note.created", "sys.release_note.published"], actions);
    }

    [Fact]
    public async Task An_announcement_is_a_broadcast_draft_of_the_public_fields_sent_only_after_the_operators_test_send()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var version = NewVersion();
        var (page, id) = await PublishedNoteAsync(version, "Faster digests", withChannels: true);

        // Announced to this test's tenant only (the shared suite's other tenants must not get it).
        await page.GetByLabel("Selected tenants").CheckAsync();
        await page.GetByLabel("Tenants (comma-separated ids)").FillAsync(tenant.Id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the announcement broadcast" }).ClickAsync();
        await page.WaitForURLAsync("**/admin/broadcasts/*?done=announced");
        var broadcastId = Guid.Parse(new Uri(page.Url).AbsolutePath.Split('/')[^1]);
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("announcement is a draft");
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("draft");
        await Assertions.Expect(page.GetByLabel("Body (Liquid)")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("Faster \\*\\*digests\\*\\*"));
        Assert.DoesNotContain("INTERNAL", await page.GetByLabel("Body (Liquid)").InputValueAsync(), StringComparison.Ordinal);
        await ConsolePages.AssertAccessibleAsync(page);

        await using (var db = fixture.CreateDbContext())
        {
            var broadcast = await db.SysBroadcasts.AsNoTracking().SingleAsync(b => b.Id == broadcastId);
            Assert.Equal(["banner", "email"], broadcast.Channels.Order(StringComparer.Ordinal));
            Assert.Contains(tenant.Id, broadcast.Audience, StringComparison.Ordinal);
            Assert.DoesNotContain("INTERNAL", broadcast.Content, StringComparison.Ordinal);
            Assert.DoesNotContain("pull/4242", broadcast.Content, StringComparison.Ordinal);
        }

        // The broadcast machinery's gate: refused until the operator test-sent it, then sent.
        var subject = $"{version}: Faster digests";
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("refusal")).ToContainTextAsync("Send a test first");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test send" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("The test is on its way");
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync("ops@example.test")).Any(m => m.Subject == subject), "the test send in MailDev");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("The broadcast is sending.");
        var mail = await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf("ann"))).FirstOrDefault(m => m.Subject == subject), "the announcement to ann");
        Assert.Contains("Digest previews", mail.Text ?? "", StringComparison.Ordinal);
        Assert.Contains("/changelog", mail.Text ?? "", StringComparison.Ordinal);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));

        await using var audit = fixture.CreateDbContext();
        var noteActions = await audit.AuditLog.AsNoTracking().Where(a => a.Target == "release_note:" + id).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.release_note.created", "sys.release_note.published", "sys.release_note.announced"], noteActions);
        var broadcastActions = await audit.AuditLog.AsNoTracking().Where(a => a.Target == "broadcast:" + broadcastId).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.broadcast.created", "sys.broadcast.test_sent", "sys.broadcast.sent"], broadcastActions);
    }

    [Fact]
    public async Task An_operator_without_SysOperator_is_refused_the_release_note_pages()
    {
        var page = await ConsolePages.NewPageAsync(_browser, []);
        await page.GotoAsync($"{fixture.Web.BaseUrl}/admin");
        await ConsolePages.SignInAsync(page, "approver@example.test", OperatorSeed.DefaultPassword);
        await page.WaitForURLAsync("**/admin");
        foreach (var path in new[] { "/admin/release-notes", "/admin/release-notes/edit" })
        {
            var refused = await page.GotoAsync(fixture.Web.BaseUrl + path);
            Assert.EndsWith("/admin/denied", new Uri(refused!.Url).AbsolutePath, StringComparison.Ordinal);
        }
    }
}
