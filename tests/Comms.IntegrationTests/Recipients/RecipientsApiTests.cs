using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Preferences;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>/v1/recipients: upsert by external id, read, list, delete, bad input and tenant isolation.</summary>
[Collection(CommsCollection.Name)]
public sealed class RecipientsApiTests(CommsFixture fixture)
{
    private static object Ada(string? email = "ada@example.test") => new
    {
        name = "Ada Lovelace",
        email,
        phone = "+44 20 7946 0000",
        locale = "en-gb",
        timeZone = "Europe/London",
        roles = new[] { "admin", "member" },
        attributes = new { plan = "pro", seats = 3 },
        quietHours = new { enabled = true, start = "22:00", end = "07:30", exceptions = new[] { "booking" } },
    };

    [Fact]
    public async Task Put_creates_then_updates_and_get_returns_the_normalised_recipient()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        var created = await api.PutAsJsonAsync("/v1/recipients/ada", Ada());
        var first = await created.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("/v1/recipients/ada", created.Headers.Location?.OriginalString);
        Assert.Equal("+442079460000", first.GetProperty("phone").GetString());
        Assert.Equal("en-GB", first.GetProperty("locale").GetString());

        var updated = await api.PutAsJsonAsync("/v1/recipients/ada", new { email = "ada@lovelace.test", roles = new[] { "owner" } });
        await updated.JsonAsync(HttpStatusCode.OK);

        var ada = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/ada");
        Assert.Equal("ada", ada.GetProperty("externalId").GetString());
        Assert.Equal("ada@lovelace.test", ada.GetProperty("email").GetString());
        Assert.Equal("Ada Lovelace", ada.GetProperty("name").GetString());
        Assert.Equal("Europe/London", ada.GetProperty("timeZone").GetString());
        Assert.Equal(["owner"], ada.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("pro", ada.GetProperty("attributes").GetProperty("plan").GetString());
        var quiet = ada.GetProperty("quietHours");
        Assert.Equal(("22:00", "07:30"), (quiet.GetProperty("start").GetString(), quiet.GetProperty("end").GetString()));
        Assert.Equal(["booking"], quiet.GetProperty("exceptions").EnumerateArray().Select(e => e.GetString()));
        await using var db = fixture.CreateDbContext();
        Assert.Equal(1, await db.Recipients.CountAsync(r => r.TenantId == tenant.Id));
    }

    [Fact]
    public async Task Post_with_the_external_id_in_the_body_is_an_upsert()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        var created = await api.PostAsJsonAsync("/v1/recipients", new { externalId = "grace", name = "Grace" });
        var again = await api.PostAsJsonAsync("/v1/recipients", new { externalId = "grace", name = "Grace Hopper" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var grace = await again.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Grace Hopper", grace.GetProperty("name").GetString());
        Assert.True(grace.GetProperty("quietHours").GetProperty("enabled").GetBoolean());
        Assert.Equal("21:00", grace.GetProperty("quietHours").GetProperty("start").GetString());
        await (await api.PostAsJsonAsync("/v1/recipients", new { name = "nobody" })).AssertValidationAsync("externalId");
    }

    [Fact]
    public async Task The_list_filters_by_role_and_pages_with_a_cursor()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        for (var i = 0; i < 5; i++)
        {
            var roles = i % 2 == 0 ? new[] { "member" } : new[] { "guest" };
            (await api.PutAsJsonAsync($"/v1/recipients/u{i}", new { roles })).EnsureSuccessStatusCode();
        }

        var seen = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await api.GetFromJsonAsync<JsonElement>($"/v1/recipients?role=member&limit=2{(next is null ? "" : "&after=" + next)}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("externalId").GetString()!));
            next = page.GetProperty("next").GetString();
            pages++;
        }
        while (next is not null && pages < 10);

        Assert.Equal(["u0", "u2", "u4"], seen.Order());
        Assert.Equal(2, pages);
        var all = await api.GetFromJsonAsync<JsonElement>("/v1/recipients");
        Assert.Equal(5, all.GetProperty("items").GetArrayLength());
        await (await api.GetAsync("/v1/recipients?limit=101")).AssertValidationAsync("limit");
        await (await api.GetAsync("/v1/recipients?after=nope")).AssertValidationAsync("after");
    }

    [Fact]
    public async Task Delete_removes_the_recipient_with_devices_and_preferences()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync("/v1/recipients/alice/devices", new { provider = "fcm", token = "tok-" + tenant.Id })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/recipients/alice/preferences",
            new { preferences = new[] { new { category = "booking", channel = "email", enabled = false } } })).EnsureSuccessStatusCode();

        var deleted = await api.DeleteAsync("/v1/recipients/alice");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await api.GetAsync("/v1/recipients/alice")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await (await api.DeleteAsync("/v1/recipients/alice")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Devices.AnyAsync(d => d.TenantId == tenant.Id));
        Assert.False(await db.Preferences.AnyAsync(p => p.TenantId == tenant.Id));
    }

    [Theory]
    [InlineData("""{"email":"not-an-email"}""", "email")]
    [InlineData("""{"phone":"0151 1234567"}""", "phone")]
    [InlineData("""{"timeZone":"Mars/Olympus"}""", "timeZone")]
    [InlineData("""{"locale":"english please"}""", "locale")]
    [InlineData("""{"roles":["Big Boss"]}""", "roles[0]")]
    [InlineData("""{"attributes":[1,2,3]}""", "attributes")]
    [InlineData("""{"attributes":{"note":"a\u0000b"}}""", "attributes.note")]
    [InlineData("""{"quietHours":{"start":"25:00"}}""", "quietHours.start")]
    [InlineData("""{"quietHours":{"exceptions":["birthdays"]}}""", "quietHours.exceptions[0]")]
    [InlineData("""{"externalId":"someone-else"}""", "externalId")]
    public async Task Bad_input_gets_400_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var response = await tenant.ApiClient().PutJsonAsync("/v1/recipients/newbie", body);

        await response.AssertValidationAsync(field);
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Recipients.AnyAsync(r => r.TenantId == tenant.Id));
    }

    [Fact]
    public async Task A_bad_field_on_update_leaves_the_stored_recipient_as_it_was()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync("/v1/recipients/ada", Ada())).EnsureSuccessStatusCode();

        var response = await api.PutAsJsonAsync("/v1/recipients/ada", new { name = "Changed", timeZone = "Nowhere/Special" });

        await response.AssertValidationAsync("timeZone");
        var ada = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/ada");
        Assert.Equal("Ada Lovelace", ada.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Attributes_over_16_KiB_and_json_type_mismatches_are_400s()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        await (await api.PutAsJsonAsync("/v1/recipients/big", new { attributes = new { blob = new string('x', 17 * 1024) } }))
            .AssertValidationAsync("attributes");
        await (await api.PutJsonAsync("/v1/recipients/typed", """{"roles":"admin"}"""))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "COMMS_BAD_REQUEST");
    }

    [Fact]
    public async Task Another_tenants_key_cannot_see_or_touch_the_recipient()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var other = await TestTenant.CreateAsync(fixture);
        var otherApi = other.ApiClient();

        await (await otherApi.GetAsync("/v1/recipients/alice")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await (await otherApi.DeleteAsync("/v1/recipients/alice")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await (await otherApi.GetAsync("/v1/recipients/alice/devices")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        var list = await otherApi.GetFromJsonAsync<JsonElement>("/v1/recipients");
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());

        var created = await otherApi.PutAsJsonAsync("/v1/recipients/alice", new { name = "Other Alice" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var mine = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/recipients/alice");
        Assert.Equal("alice", mine.GetProperty("name").GetString());
        Assert.Equal(tenant.EmailOf("alice"), mine.GetProperty("email").GetString());
    }

    [Fact]
    public async Task A_key_without_the_editor_role_may_read_but_not_write()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var reader = tenant.ApiClient(await tenant.AddApiKeyAsync("reader"));

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/recipients/alice")).StatusCode);
        await (await reader.PutAsJsonAsync("/v1/recipients/alice", new { name = "x" })).AssertProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
        await (await reader.DeleteAsync("/v1/recipients/alice")).AssertProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
    }

    [Fact]
    public async Task Quiet_hours_exceptions_may_name_the_tenants_own_categories()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync("/v1/categories/outages", new { description = "Service outages" })).EnsureSuccessStatusCode();

        var response = await api.PutAsJsonAsync("/v1/recipients/ada", new { quietHours = new { exceptions = new[] { "outages", Categories.Security } } });

        var ada = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal(["outages", "security"], ada.GetProperty("quietHours").GetProperty("exceptions").EnumerateArray().Select(e => e.GetString()));
    }
}
