using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Comms.Core.Data;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Banners;

/// <summary>Platform banners (issue 12): operator CRUD and validation, what users see, dismissals, live pushes.</summary>
[Collection(CommsCollection.Name)]
public sealed class BannerTests(CommsFixture fixture)
{
    private HttpClient Sys()
    {
        var sys = fixture.Api.CreateClient();
        sys.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);
        return sys;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<Guid> TemplateAsync(HttpClient sys, bool dismissible = true, string title = "Planned maintenance")
    {
        var created = await JsonAsync(await sys.PostAsJsonAsync("/sys/banner-templates", new
        {
            kind = "maintenance", title, body = "We upgrade **tonight**. <script>alert(1)</script>", link = "https://status.example.test",
            severity = "warning", dismissible,
        }), HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    private async Task<Guid> ActivateAsync(HttpClient sys, object body) =>
        (await JsonAsync(await sys.PostAsJsonAsync("/sys/banner-activations", body), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private static async Task<List<JsonElement>> MyBannersAsync(HttpClient user) =>
        [.. (await JsonAsync(await user.GetAsync("/me/banners"), HttpStatusCode.OK)).EnumerateArray()];

    private static List<Guid> Ids(IEnumerable<JsonElement> banners) => banners.Select(b => b.GetProperty("activationId").GetGuid()).ToList();

    [Fact]
    public async Task Operators_create_read_change_and_delete_templates_and_activations_audited_and_validated()
    {
        using var sys = Sys();
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        // Validation names the fields; nothing is stored.
        var bad = await JsonAsync(await sys.PostAsJsonAsync("/sys/banner-templates", new
        {
            kind = "outage", title = "", body = "x", link = "javascript:alert(1)", severity = "loud",
        }), HttpStatusCode.BadRequest);
        Assert.Equal("COMMS_VALIDATION", bad.GetProperty("type").GetString());
        var fields = bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "kind", "title", "link", "severity" }, fields);

        var templateId = await TemplateAsync(sys);
        var got = await JsonAsync(await sys.GetAsync($"/sys/banner-templates/{templateId}"), HttpStatusCode.OK);
        Assert.Equal("warning", got.GetProperty("severity").GetString());
        var changed = await JsonAsync(await sys.PutAsJsonAsync($"/sys/banner-templates/{templateId}", new
        {
            kind = "incident", title = "Degraded email", body = "Email is slow.", dismissible = false,
        }), HttpStatusCode.OK);
        Assert.Equal(("incident", "info", false), (changed.GetProperty("kind").GetString(), changed.GetProperty("severity").GetString(), changed.GetProperty("dismissible").GetBoolean()));
        Assert.Contains(templateId, (await JsonAsync(await sys.GetAsync("/sys/banner-templates"), HttpStatusCode.OK)).EnumerateArray().Select(t => t.GetProperty("id").GetGuid()));

        var now = DateTimeOffset.UtcNow;
        var window = await JsonAsync(await sys.PostAsJsonAsync("/sys/banner-activations", new
        {
            templateId, startsAt = now, endsAt = now.AddMinutes(-1), tenants = new[] { tenant.Id, "no-such-tenant" }, roles = new[] { "Not A Slug" },
        }), HttpStatusCode.BadRequest);
        Assert.Equal(["endsAt", "roles[0]"], window.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray());
        var unknownTenant = await JsonAsync(await sys.PostAsJsonAsync("/sys/banner-activations", new
        {
            templateId, startsAt = now, tenants = new[] { tenant.Id, "no-such-tenant" },
        }), HttpStatusCode.BadRequest);
        Assert.Equal(["tenants[1]"], unknownTenant.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray());
        var unknownTemplate = await JsonAsync(await sys.PostAsJsonAsync("/sys/banner-activations", new
        {
            templateId = Guid.NewGuid(), startsAt = now,
        }), HttpStatusCode.NotFound);
        Assert.Equal("COMMS_NOT_FOUND", unknownTemplate.GetProperty("type").GetString());

        var activationId = await ActivateAsync(sys, new { templateId, startsAt = now, endsAt = now.AddHours(1), tenants = new[] { tenant.Id } });
        var moved = await JsonAsync(await sys.PutAsJsonAsync($"/sys/banner-activations/{activationId}", new
        {
            templateId, startsAt = now, endsAt = now.AddHours(2), tenants = new[] { tenant.Id }, roles = new[] { "admin" },
        }), HttpStatusCode.OK);
        Assert.Equal(["admin"], moved.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Contains(activationId, (await JsonAsync(await sys.GetAsync("/sys/banner-activations"), HttpStatusCode.OK)).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));
        await JsonAsync(await sys.DeleteAsync($"/sys/banner-activations/{activationId}"), HttpStatusCode.NoContent);
        await JsonAsync(await sys.GetAsync($"/sys/banner-activations/{activationId}"), HttpStatusCode.NotFound);
        await JsonAsync(await sys.DeleteAsync($"/sys/banner-templates/{templateId}"), HttpStatusCode.NoContent);
        await JsonAsync(await sys.GetAsync($"/sys/banner-templates/{templateId}"), HttpStatusCode.NotFound);

        // An operator token works too, and its writes are audited under the operator.
        var op = await OperatorTestSupport.CreateAsync(fixture, Comms.Core.Operators.OperatorRoles.SysOperator);
        using var plain = fixture.Api.CreateClient();
        var token = await OperatorTestSupport.TokenAsync(plain, op.Email!);
        var byOperator = await plain.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/banner-templates")
        {
            Content = JsonContent.Create(new { kind = "feature", title = "New inbox", body = "Try it." }),
        }.With(token));
        var operatorTemplate = (await JsonAsync(byOperator, HttpStatusCode.Created)).GetProperty("id").GetGuid();

        await using var db = fixture.CreateDbContext();
        var audit = await db.AuditLog.AsNoTracking()
            .Where(a => a.Target == $"banner_template:{templateId}" || a.Target == $"banner_activation:{activationId}" || a.Target == $"banner_template:{operatorTemplate}")
            .OrderBy(a => a.Id).Select(a => new { a.Actor, a.Action }).ToListAsync();
        Assert.Equal(
            ["sys.banner_template.created", "sys.banner_template.updated", "sys.banner_activation.created", "sys.banner_activation.updated",
             "sys.banner_activation.deleted", "sys.banner_template.deleted", "sys.banner_template.created"],
            audit.Select(a => a.Action).ToArray());
        Assert.Equal("sys", audit[0].Actor);
        Assert.Equal($"operator:{op.Id}", audit[^1].Actor);
        Assert.Equal(0, await db.BannerTemplates.CountAsync(t => t.Title == "" ));
    }

    [Fact]
    public async Task Users_see_the_banners_active_now_for_their_tenant_and_roles_as_safe_html()
    {
        using var sys = Sys();
        var tenant = await TestTenant.CreateAsync(fixture);
        var other = await TestTenant.CreateAsync(fixture);
        await tenant.AddRecipientAsync("admin-user", r => r.Roles = ["admin"]);
        await tenant.AddRecipientAsync("member-user", r => r.Roles = ["member"]);
        await other.AddRecipientAsync("stranger", r => r.Roles = ["admin"]);
        var templateId = await TemplateAsync(sys);
        var now = DateTimeOffset.UtcNow;

        var current = await ActivateAsync(sys, new { templateId, startsAt = now.AddMinutes(-5), endsAt = now.AddHours(1), tenants = new[] { tenant.Id } });
        var adminsOnly = await ActivateAsync(sys, new { templateId, startsAt = now.AddMinutes(-5), tenants = new[] { tenant.Id }, roles = new[] { "admin" } });
        var future = await ActivateAsync(sys, new { templateId, startsAt = now.AddHours(1), tenants = new[] { tenant.Id } });
        var past = await ActivateAsync(sys, new { templateId, startsAt = now.AddHours(-2), endsAt = now.AddHours(-1), tenants = new[] { tenant.Id } });
        var everyone = await ActivateAsync(sys, new { templateId, startsAt = now.AddMinutes(-5), endsAt = now.AddMinutes(10) });
        try
        {
            var admin = await MyBannersAsync(tenant.UserClient("admin-user"));
            var member = await MyBannersAsync(tenant.UserClient("member-user"));
            var stranger = await MyBannersAsync(other.UserClient("stranger"));

            Assert.Equal(new[] { current, adminsOnly, everyone }.Order(), Ids(admin).Where(id => id == current || id == adminsOnly || id == future || id == past || id == everyone).Order());
            Assert.Contains(current, Ids(member));
            Assert.DoesNotContain(adminsOnly, Ids(member));
            Assert.DoesNotContain(future, Ids(member));
            Assert.DoesNotContain(past, Ids(member));
            Assert.Contains(everyone, Ids(stranger));
            Assert.DoesNotContain(current, Ids(stranger));
            Assert.DoesNotContain(adminsOnly, Ids(stranger));

            var banner = admin.Single(b => b.GetProperty("activationId").GetGuid() == current);
            Assert.Equal("Planned maintenance", banner.GetProperty("title").GetString());
            Assert.Equal(("maintenance", "warning", "https://status.example.test", true),
                (banner.GetProperty("kind").GetString(), banner.GetProperty("severity").GetString(), banner.GetProperty("link").GetString(), banner.GetProperty("dismissible").GetBoolean()));
            var html = banner.GetProperty("bodyHtml").GetString()!;
            Assert.Contains("<strong>tonight</strong>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        }
        finally
        {
            await sys.DeleteAsync($"/sys/banner-templates/{templateId}");
        }
    }

    [Fact]
    public async Task A_user_dismisses_a_dismissible_banner_for_themselves_only()
    {
        using var sys = Sys();
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        var dismissible = await TemplateAsync(sys);
        var sticky = await TemplateAsync(sys, dismissible: false);
        var now = DateTimeOffset.UtcNow;
        var one = await ActivateAsync(sys, new { templateId = dismissible, startsAt = now.AddMinutes(-1), tenants = new[] { tenant.Id } });
        var two = await ActivateAsync(sys, new { templateId = sticky, startsAt = now.AddMinutes(-1), tenants = new[] { tenant.Id } });
        var alice = tenant.UserClient("alice");

        await JsonAsync(await alice.PostAsync($"/me/banners/{one}/dismiss", null), HttpStatusCode.NoContent);
        await JsonAsync(await alice.PostAsync($"/me/banners/{one}/dismiss", null), HttpStatusCode.NoContent); // idempotent
        var refused = await JsonAsync(await alice.PostAsync($"/me/banners/{two}/dismiss", null), HttpStatusCode.Conflict);
        Assert.Equal("COMMS_CONFLICT", refused.GetProperty("type").GetString());
        await JsonAsync(await alice.PostAsync($"/me/banners/{Guid.NewGuid()}/dismiss", null), HttpStatusCode.NotFound);

        Assert.Equal([two], Ids(await MyBannersAsync(alice)).Where(id => id == one || id == two).ToList());
        Assert.Equal([one, two], Ids(await MyBannersAsync(tenant.UserClient("bob"))).Where(id => id == one || id == two).ToList());

        // Another tenant's user cannot dismiss (or learn of) a banner not shown to them.
        var other = await TestTenant.CreateAsync(fixture, "carol");
        await JsonAsync(await other.UserClient("carol").PostAsync($"/me/banners/{one}/dismiss", null), HttpStatusCode.NotFound);

        await sys.DeleteAsync($"/sys/banner-templates/{dismissible}");
        await sys.DeleteAsync($"/sys/banner-templates/{sticky}");
    }

    private async Task<(HubConnection Connection, Channel<bool> Changes)> ConnectAsync(string tenant, string user)
    {
        var changes = Channel.CreateUnbounded<bool>();
        var connection = new HubConnectionBuilder()
            .WithUrl($"{fixture.Web.BaseUrl}/hubs/notifications", options => options.AccessTokenProvider = () => Task.FromResult<string?>(fixture.UserToken(tenant, user)))
            .Build();
        connection.On("bannersChanged", () => changes.Writer.TryWrite(true));
        await connection.StartAsync();
        return (connection, changes);
    }

    [Fact]
    public async Task Hub_clients_get_bannersChanged_when_an_activation_is_created_and_when_a_scheduled_one_starts()
    {
        using var sys = Sys();
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var other = await TestTenant.CreateAsync(fixture, "zoe");
        var (connection, changes) = await ConnectAsync(tenant.Id, "alice");
        var (otherConnection, otherChanges) = await ConnectAsync(other.Id, "zoe");
        await using var _1 = connection;
        await using var _2 = otherConnection;
        var templateId = await TemplateAsync(sys);
        var alice = tenant.UserClient("alice");

        // Created (active now): pushed at once to the tenant's connections.
        var now = DateTimeOffset.UtcNow;
        var immediate = await ActivateAsync(sys, new { templateId, startsAt = now.AddMinutes(-1), tenants = new[] { tenant.Id } });
        using (var timeout = new CancellationTokenSource(Poll.DefaultTimeout))
        {
            Assert.True(await changes.Reader.ReadAsync(timeout.Token));
        }

        // Scheduled two seconds ahead: not visible yet; pushed when it starts, with no client polling.
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var scheduled = await ActivateAsync(sys, new { templateId, startsAt, tenants = new[] { tenant.Id } });
        using (var timeout = new CancellationTokenSource(Poll.DefaultTimeout))
        {
            Assert.True(await changes.Reader.ReadAsync(timeout.Token)); // the creation itself
        }

        Assert.DoesNotContain(scheduled, Ids(await MyBannersAsync(alice)));
        using (var timeout = new CancellationTokenSource(Poll.DefaultTimeout))
        {
            Assert.True(await changes.Reader.ReadAsync(timeout.Token)); // the start
        }

        Assert.True(DateTimeOffset.UtcNow >= startsAt.AddMilliseconds(-50), "The start was pushed before it was due.");
        Assert.Contains(scheduled, Ids(await MyBannersAsync(alice)));
        Assert.Contains(immediate, Ids(await MyBannersAsync(alice)));

        // The start was claimed once.
        await using (var db = fixture.CreateDbContext())
        {
            Assert.NotNull((await db.BannerActivations.AsNoTracking().SingleAsync(a => a.Id == scheduled)).StartPushedAt);
        }

        // Deleting pushes too; the other tenant's user heard none of it.
        await JsonAsync(await sys.DeleteAsync($"/sys/banner-activations/{immediate}"), HttpStatusCode.NoContent);
        using (var timeout = new CancellationTokenSource(Poll.DefaultTimeout))
        {
            Assert.True(await changes.Reader.ReadAsync(timeout.Token));
        }

        Assert.False(otherChanges.Reader.TryRead(out _));
        await sys.DeleteAsync($"/sys/banner-templates/{templateId}");
    }
}
