using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Sys;

/// <summary>
/// Broadcast drafts: the smallest valid draft, validation (400 without a body, 422 naming the field, a Liquid error
/// included), changes only while a draft, paging, and the live audience count of every audience kind.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class BroadcastDraftTests(CommsFixture fixture)
{
    private readonly BroadcastSupport _support = new(fixture);

    [Fact]
    public async Task The_smallest_draft_is_created_read_changed_listed_and_audited()
    {
        var response = await _support.SendAsync(HttpMethod.Post, "/sys/broadcasts", CommsFixture.SysKey,
            new { title = "Hello", audience = new { allTenants = true }, channels = new[] { "email" }, subject = "Hi", body = "Body" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("draft", created.GetProperty("status").GetString());
        Assert.True(created.GetProperty("audience").GetProperty("allTenants").GetBoolean());
        Assert.Equal("Hi", created.GetProperty("content").GetProperty("email").GetProperty("subject").GetString());

        var changed = await _support.SendAsync(HttpMethod.Put, $"/sys/broadcasts/{id}", CommsFixture.SysKey,
            new { title = "Hello again", audience = new { roles = new[] { "admin" } }, channels = new[] { "email", "push" }, subject = "Hi",
                body = "Body", content = new { push = new { subject = "Short", body = "Push body" } } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var view = await _support.GetAsync(id);
        Assert.Equal("Hello again", view.GetProperty("title").GetString());
        Assert.Equal("Short", view.GetProperty("content").GetProperty("push").GetProperty("subject").GetString());
        Assert.Equal("Hi", view.GetProperty("content").GetProperty("email").GetProperty("subject").GetString());
        Assert.Equal("admin", view.GetProperty("audience").GetProperty("roles")[0].GetString());

        var second = await _support.CreateAsync(BroadcastSupport.Draft(new { allTenants = true }));
        var page = await (await _support.SendAsync(HttpMethod.Get, "/sys/broadcasts?limit=1", CommsFixture.SysKey)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(second, page.GetProperty("items")[0].GetProperty("id").GetGuid());
        var next = page.GetProperty("nextCursor").GetString();
        var page2 = await (await _support.SendAsync(HttpMethod.Get, $"/sys/broadcasts?limit=1&after={next}", CommsFixture.SysKey))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, page2.GetProperty("items")[0].GetProperty("id").GetGuid());

        await using var db = fixture.CreateDbContext();
        var actions = await db.AuditLog.AsNoTracking().Where(a => a.Target == "broadcast:" + id).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.broadcast.created", "sys.broadcast.updated"], actions);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { """{"audience":{"allTenants":true},"channels":["email"],"subject":"s","body":"b"}""", "title" },
        { """{"title":"t","audience":{"allTenants":true,"roles":["a"]},"channels":["email"],"subject":"s","body":"b"}""", "audience" },
        { """{"title":"t","audience":{"tenants":[]},"channels":["email"],"subject":"s","body":"b"}""", "audience.tenants" },
        { """{"title":"t","audience":{"tenants":["no-such-tenant-x"]},"channels":["email"],"subject":"s","body":"b"}""", "audience.tenants" },
        { """{"title":"t","audience":{"filter":{"attributes":{"plan":{"nested":1}}}},"channels":["email"],"subject":"s","body":"b"}""", "audience.filter.attributes" },
        { """{"title":"t","audience":{"filter":{"locale":"de"}},"channels":["email"],"subject":"s","body":"b"}""", "audience.filter" },
        { """{"title":"t","audience":{"allTenants":true},"channels":["fax"],"subject":"s","body":"b"}""", "channels" },
        { """{"title":"t","audience":{"allTenants":true},"channels":["email"],"subject":"s","body":"Hi {{ recipient.name "}""", "body" },
        { """{"title":"t","audience":{"allTenants":true},"channels":["email"],"subject":"s","body":"b","content":{"email":{"subject":"{% if %}"}}}""", "content.email.subject" },
        { """{"title":"t","audience":{"allTenants":true},"channels":["email"],"body":"b"}""", "subject" },
        { """{"title":"t","audience":{"filter":{"attributes":{"plan":"pro"}}},"channels":["banner"],"subject":"s","body":"b"}""", "channels" },
        { """{"title":"t","audience":{"allTenants":true},"channels":["banner"],"subject":"s","body":"b","banner":{"kind":"party"}}""", "banner.kind" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task An_invalid_draft_is_422_naming_the_field_and_nothing_is_stored(string json, string field)
    {
        await using var db = fixture.CreateDbContext();
        var before = await db.SysBroadcasts.CountAsync();
        var response = await _support.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/broadcasts")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        }.With(CommsFixture.SysKey));
        var problem = await OperatorTestSupport.ProblemAsync(response);
        Assert.Equal((422, "COMMS_VALIDATION"), (problem.Status, problem.Type));
        Assert.True(problem.Body.GetProperty("errors").TryGetProperty(field, out _), problem.Body.ToString());
        Assert.Equal(before, await db.SysBroadcasts.CountAsync());
    }

    [Fact]
    public async Task A_missing_body_is_400_and_an_unknown_broadcast_is_404()
    {
        var response = await _support.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/broadcasts")
        {
            Content = new StringContent("null", System.Text.Encoding.UTF8, "application/json"),
        }.With(CommsFixture.SysKey));
        Assert.Equal(400, (await OperatorTestSupport.ProblemAsync(response)).Status);

        var missing = await OperatorTestSupport.ProblemAsync(await _support.SendAsync(HttpMethod.Get, $"/sys/broadcasts/{Guid.NewGuid()}", CommsFixture.SysKey));
        Assert.Equal((404, "COMMS_NOT_FOUND"), (missing.Status, missing.Type));
        var badLimit = await OperatorTestSupport.ProblemAsync(await _support.SendAsync(HttpMethod.Get, "/sys/broadcasts?limit=0", CommsFixture.SysKey));
        Assert.Equal((400, "COMMS_VALIDATION"), (badLimit.Status, badLimit.Type));
    }

    [Fact]
    public async Task The_audience_count_is_live_for_every_audience_kind()
    {
        var role = "r" + Guid.NewGuid().ToString("N")[..8];
        var plan = "p" + Guid.NewGuid().ToString("N")[..8];
        var one = await TestTenant.CreateAsync(fixture, "a1", "a2");
        var two = await TestTenant.CreateAsync(fixture, "b1");
        await one.AddRecipientAsync("a3", r => { r.Roles = [role]; r.Attributes = $$"""{"plan":"{{plan}}"}"""; });
        await two.AddRecipientAsync("b2", r => r.Roles = [role, "other"]);
        await two.AddRecipientAsync("b3", r => { r.Attributes = $$"""{"plan":"{{plan}}","seats":3}"""; r.ErasedAt = DateTimeOffset.UtcNow; });

        var tenants = await _support.CreateAsync(BroadcastSupport.Draft(new { tenants = new[] { one.Id, two.Id } }));
        Assert.Equal((5L, 2), await _support.CountAsync(tenants));
        var roles = await _support.CreateAsync(BroadcastSupport.Draft(new { roles = new[] { role } }));
        Assert.Equal((2L, 2), await _support.CountAsync(roles));
        var filter = await _support.CreateAsync(BroadcastSupport.Draft(new { filter = new { attributes = new { plan } } }));
        Assert.Equal((1L, 1), await _support.CountAsync(filter));
        var filterAndRole = await _support.CreateAsync(BroadcastSupport.Draft(new { filter = new { attributes = new { plan }, roles = new[] { "other" } } }));
        Assert.Equal((0L, 0), await _support.CountAsync(filterAndRole));

        // Live: a new recipient counts at once.
        await two.AddRecipientAsync("b4", r => r.Roles = [role]);
        Assert.Equal((3L, 2), await _support.CountAsync(roles));

        var all = await _support.CreateAsync(BroadcastSupport.Draft(new { allTenants = true }));
        await using var db = fixture.CreateDbContext();
        var expected = await db.Recipients.CountAsync(r => r.ErasedAt == null);
        Assert.Equal(expected, (await _support.CountAsync(all)).Recipients);
    }
}
