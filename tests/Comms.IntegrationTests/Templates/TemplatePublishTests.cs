using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Templates;

/// <summary>Publishing drafts into immutable versions, and the router using the newest one.</summary>
[Collection(CommsCollection.Name)]
public sealed class TemplatePublishTests(CommsFixture fixture)
{
    [Fact]
    public async Task Publishing_a_draft_makes_version_1_which_never_changes()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        await (await api.PutDraftAsync("receipt", TemplateRequests.EmailDraft("Receipt for {{ name }}"))).JsonAsync(HttpStatusCode.Created);

        var published = await api.ActAsync("receipt", "publish");

        var result = await published.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("/v1/templates/receipt/email/en-US/versions/1", published.Headers.Location?.OriginalString);
        Assert.True(result.GetProperty("published").GetBoolean());
        Assert.Equal(1, result.GetProperty("version").GetInt32());
        Assert.Equal("published", result.GetProperty("template").GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, result.GetProperty("template").GetProperty("publishedAt").ValueKind);

        // The draft became the version: there is no draft any more, and version 1 is readable.
        await (await api.GetAsync(TemplateRequests.Path("receipt") + "/draft")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        var v1 = await (await api.GetAsync(TemplateRequests.Path("receipt") + "/versions/1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Receipt for {{ name }}", v1.GetProperty("content").GetProperty("subject").GetString());

        // Any attempt to change the version is refused.
        await (await api.PutAsJsonAsync(TemplateRequests.Path("receipt") + "/versions/1", TemplateRequests.EmailDraft("Changed")))
            .ProblemAsync(HttpStatusCode.Conflict, TemplateCodes.Immutable);
        await (await api.DeleteAsync(TemplateRequests.Path("receipt") + "/versions/1")).ProblemAsync(HttpStatusCode.Conflict, TemplateCodes.Immutable);
        await (await api.PatchAsJsonAsync(TemplateRequests.Path("receipt") + "/versions/1", new { })).ProblemAsync(HttpStatusCode.Conflict, TemplateCodes.Immutable);
        await (await api.ActAsync("receipt", "publish")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");

        // The next draft publishes as version 2; version 1 is untouched.
        await (await api.PutDraftAsync("receipt", TemplateRequests.EmailDraft("Your receipt, {{ name }}"))).JsonAsync(HttpStatusCode.Created);
        var v2 = await (await api.ActAsync("receipt", "publish")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(2, v2.GetProperty("version").GetInt32());

        await using var db = fixture.CreateDbContext();
        var rows = await db.Templates.AsNoTracking().Where(t => t.TenantId == tenant.Id && t.Name == "receipt").OrderBy(t => t.Version).ToListAsync();
        Assert.Equal([1, 2], rows.Select(r => r.Version));
        Assert.Equal("Receipt for {{ name }}", rows[0].Content.Subject);
        Assert.All(rows, r => Assert.Equal(TemplateStatus.Published, r.Status));
        var details = await api.GetFromJsonAsync<JsonElement>("/v1/templates/receipt");
        Assert.Equal([1, 2], details.GetProperty("entries")[0].GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task Concurrent_saves_make_one_draft_and_concurrent_publishes_one_version()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();

        var saves = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => api.PutDraftAsync("race", TemplateRequests.EmailDraft($"Take {i}"))));
        var publishes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.ActAsync("race", "publish")));

        Assert.Equal(1, saves.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, saves.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(1, publishes.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, publishes.Count(r => r.StatusCode == HttpStatusCode.NotFound));
        await using var db = fixture.CreateDbContext();
        var rows = await db.Templates.AsNoTracking().Where(t => t.TenantId == tenant.Id && t.Name == "race").ToListAsync();
        Assert.Equal(1, Assert.Single(rows).Version);
    }

    [Fact]
    public async Task A_newly_published_version_is_used_by_the_router_for_the_next_event()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        var address = tenant.EmailOf("alice");

        await (await api.PutDraftAsync(TestTenant.WelcomeEvent, TemplateRequests.EmailDraft("Version two for {{ name }}"))).JsonAsync(HttpStatusCode.Created);

        // The first event warms every process's cached catalog with version 1 (the draft is not used).
        (await api.PostAsJsonAsync("/v1/events", Welcome("signup:v1"))).EnsureSuccessStatusCode();
        var first = await fixture.Mailbox.WaitForOneToAsync(address);
        Assert.Equal("Welcome, A", first.Subject);
        Assert.Equal("1", first.Header("x-template-version"));

        var published = await (await api.ActAsync(TestTenant.WelcomeEvent, "publish")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(2, published.GetProperty("version").GetInt32());

        (await api.PostAsJsonAsync("/v1/events", Welcome("signup:v2"))).EnsureSuccessStatusCode();

        // Within the catalog's 30 s cache lifetime: only the change notification makes this pass.
        var second = await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(address)).FirstOrDefault(e => e.Id != first.Id),
            "the second email", TimeSpan.FromSeconds(15));
        Assert.Equal("Version two for A", second.Subject);
        Assert.Equal("2", second.Header("x-template-version"));
    }

    [Fact]
    public async Task Another_tenants_key_gets_404_and_changes_nothing()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var other = (await TestTenant.CreateAsync(fixture, "alice")).ApiClient();
        var api = tenant.ApiClient();
        await (await api.PutDraftAsync("receipt", TemplateRequests.EmailDraft())).JsonAsync(HttpStatusCode.Created);
        await (await api.ActAsync("receipt", "publish")).JsonAsync(HttpStatusCode.Created);
        await (await api.PutDraftAsync("receipt", TemplateRequests.EmailDraft("v2"))).JsonAsync(HttpStatusCode.Created);
        var receipt = TemplateRequests.Path("receipt");
        var preview = new { payload = new { name = "x" } };

        await (await other.GetAsync("/v1/templates/receipt")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await other.GetAsync(receipt + "/draft")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await other.GetAsync(receipt + "/versions/1")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await other.PostAsJsonAsync(receipt + "/draft/preview", preview)).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await other.PostAsJsonAsync(receipt + "/versions/1/preview", preview)).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await other.ActAsync("receipt", "publish")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await other.DeleteAsync(receipt + "/draft")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await other.DeleteAsync(receipt + "/versions/1")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        var list = await other.GetFromJsonAsync<JsonElement>("/v1/templates");
        Assert.DoesNotContain("receipt", list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));

        var details = await api.GetFromJsonAsync<JsonElement>("/v1/templates/receipt");
        Assert.Equal("draft", details.GetProperty("entries")[0].GetProperty("draft").GetProperty("status").GetString());
        Assert.Equal(1, details.GetProperty("entries")[0].GetProperty("versions").GetArrayLength());
    }

    private static object Welcome(string cause) => new
    {
        name = TestTenant.WelcomeEvent,
        recipients = new[] { "alice" },
        causeRef = cause,
        payload = new { name = "A" },
    };
}
