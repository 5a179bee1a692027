using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>/v1/categories: built-ins and the tenant's own, with routers seeing changes at once.</summary>
[Collection(CommsCollection.Name)]
public sealed class CategoriesApiTests(CommsFixture fixture)
{
    private static JsonElement Find(JsonElement list, string name) =>
        list.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Fact]
    public async Task The_list_has_the_built_ins_with_their_defaults_and_the_tenants_own()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        var created = await api.PutAsJsonAsync("/v1/categories/outages",
            new { description = "Service outages", critical = true, defaultChannels = new[] { "sms", "email" } });

        var outages = await created.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("/v1/categories/outages", created.Headers.Location?.OriginalString);
        Assert.Equal(["sms", "email", "in_app", "webhook"], outages.GetProperty("defaultChannels").EnumerateArray().Select(c => c.GetString()));
        var list = await api.GetFromJsonAsync<JsonElement>("/v1/categories");
        var security = Find(list, "security");
        Assert.True(security.GetProperty("critical").GetBoolean());
        Assert.True(security.GetProperty("builtIn").GetBoolean());
        Assert.Equal(["email", "in_app", "webhook"], Find(list, "account").GetProperty("defaultChannels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["in_app", "webhook"], Find(list, "promotions").GetProperty("defaultChannels").EnumerateArray().Select(c => c.GetString()));
        Assert.False(Find(list, "outages").GetProperty("builtIn").GetBoolean());
        Assert.Equal("Service outages", Find(list, "outages").GetProperty("description").GetString());
        var otherList = await (await TestTenant.CreateAsync(fixture)).ApiClient().GetFromJsonAsync<JsonElement>("/v1/categories");
        Assert.DoesNotContain(otherList.EnumerateArray(), c => c.GetProperty("name").GetString() == "outages");
    }

    [Fact]
    public async Task Put_updates_the_fields_given()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync("/v1/categories/tips", new { description = "Tips", defaultChannels = new[] { "email" } })).EnsureSuccessStatusCode();

        var updated = await api.PutAsJsonAsync("/v1/categories/tips", new { critical = false, defaultChannels = new[] { "push" } });

        var tips = await updated.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Tips", tips.GetProperty("description").GetString());
        Assert.Equal(["push", "in_app", "webhook"], tips.GetProperty("defaultChannels").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Default_channels_are_stored_exactly_as_given_and_a_repeat_is_named()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        (await api.PutAsJsonAsync("/v1/categories/alerts", new { defaultChannels = new[] { "push", "email", "in_app" } })).EnsureSuccessStatusCode();
        var repeated = await api.PutAsJsonAsync("/v1/categories/alerts", new { defaultChannels = new[] { "sms", "sms" } });

        await using var db = fixture.CreateDbContext();
        var stored = await db.Categories.SingleAsync(c => c.TenantId == tenant.Id && c.Name == "alerts");
        Assert.Equal(["push", "email", "in_app"], stored.DefaultChannels);
        await repeated.AssertValidationAsync("defaultChannels[1]");
    }

    [Fact]
    public async Task Built_in_names_conflict_and_bad_input_is_named()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        await (await api.PutAsJsonAsync("/v1/categories/security", new { critical = false })).AssertProblemAsync(HttpStatusCode.Conflict, "COMMS_CATEGORY_BUILT_IN");
        await (await api.DeleteAsync("/v1/categories/security")).AssertProblemAsync(HttpStatusCode.Conflict, "COMMS_CATEGORY_BUILT_IN");
        await (await api.PutAsJsonAsync("/v1/categories/tips", new { defaultChannels = new[] { "email", "fax" } })).AssertValidationAsync("defaultChannels[1]");
        await (await api.PutAsJsonAsync("/v1/categories/Bad%20Name", new { })).AssertValidationAsync("name");
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Categories.AnyAsync(c => c.TenantId == tenant.Id));
    }

    [Fact]
    public async Task Writing_needs_an_editor_key()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var reader = tenant.ApiClient(await tenant.AddApiKeyAsync("reader"));
        var editor = tenant.ApiClient(await tenant.AddApiKeyAsync("editor", "editor"));

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/categories")).StatusCode);
        await (await reader.PutAsJsonAsync("/v1/categories/tips", new { })).AssertProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
        Assert.Equal(HttpStatusCode.Created, (await editor.PutAsJsonAsync("/v1/categories/tips", new { })).StatusCode);
    }

    [Fact]
    public async Task Intake_sees_new_and_deleted_categories_at_once()
    {
        // An event without its payload is refused after the category check, so nothing is ever stored:
        // COMMS_UNKNOWN_CATEGORY while the cached catalog lacks the category, COMMS_TEMPLATE_MISSING_VAR once it has it.
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        var incomplete = new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "c", category = "outages" };
        await (await api.PostAsJsonAsync("/v1/events", incomplete)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "COMMS_UNKNOWN_CATEGORY");

        (await api.PutAsJsonAsync("/v1/categories/outages", new { defaultChannels = new[] { "email" } })).EnsureSuccessStatusCode();
        await (await api.PostAsJsonAsync("/v1/events", incomplete)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "COMMS_TEMPLATE_MISSING_VAR");

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/v1/categories/outages")).StatusCode);
        await (await api.PostAsJsonAsync("/v1/events", incomplete)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "COMMS_UNKNOWN_CATEGORY");
    }

    [Fact]
    public async Task Delete_removes_the_users_preferences_for_it_and_refuses_while_a_rule_uses_it()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync("/v1/categories/tips", new { })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/categories/outages", new { })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/recipients/alice", new { quietHours = new { exceptions = new[] { "tips", "booking" } } })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/recipients/alice/preferences",
            new { preferences = new[] { new { category = "tips", channel = "email", enabled = true } } })).EnsureSuccessStatusCode();
        await using (var db = fixture.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
            db.RoutingRules.Add(new RoutingRule
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, EventName = "outage.started", TemplateName = TestTenant.WelcomeEvent,
                Category = "outages", Channels = [Channel.Email], CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync();
        }

        await (await api.DeleteAsync("/v1/categories/outages")).AssertProblemAsync(HttpStatusCode.Conflict, "COMMS_CATEGORY_IN_USE");
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/v1/categories/tips")).StatusCode);
        await (await api.DeleteAsync("/v1/categories/tips")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");

        await using var check = fixture.CreateDbContext();
        Assert.False(await check.Preferences.AnyAsync(p => p.TenantId == tenant.Id));
        var alice = await check.Recipients.SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == "alice");
        Assert.Equal(["booking"], alice.QuietHoursExceptions);
        Assert.True(await check.Categories.AnyAsync(c => c.TenantId == tenant.Id && c.Name == "outages"));
    }
}
