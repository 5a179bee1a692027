using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>The user's preference center: /me/notifications/preferences, its alias /me/communications, and /v1/recipients/{id}/preferences.</summary>
[Collection(CommsCollection.Name)]
public sealed class PreferenceCenterApiTests(CommsFixture fixture)
{
    private const string Path = "/me/notifications/preferences";

    private static JsonElement Cell(JsonElement matrix, string category, string channel) =>
        matrix.GetProperty("categories").EnumerateArray().Single(r => r.GetProperty("category").GetString() == category)
            .GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == channel);

    private static bool Enabled(JsonElement matrix, string category, string channel) => Cell(matrix, category, channel).GetProperty("enabled").GetBoolean();

    private static object Change(string category, string channel, bool enabled) => new { category, channel, enabled };

    [Fact]
    public async Task The_matrix_shows_the_seed_defaults_with_critical_rows_locked()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var matrix = await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>(Path);

        Assert.Equal(["email", "push", "sms", "in_app"], matrix.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        string[] categories = ["security", "legal", "booking", "messages", "reviews", "promotions", "finance", "account"];
        Assert.Equal(categories, matrix.GetProperty("categories").EnumerateArray().Select(r => r.GetProperty("category").GetString()));
        var on = new List<string>();
        foreach (var category in categories)
        {
            foreach (var channel in new[] { "email", "push", "sms", "in_app" })
            {
                var cell = Cell(matrix, category, channel);
                Assert.Equal(cell.GetProperty("default").GetBoolean(), cell.GetProperty("enabled").GetBoolean());
                if (cell.GetProperty("enabled").GetBoolean())
                {
                    on.Add($"{category}/{channel}");
                }
            }
        }

        // Email for all but promotions; push for booking, messages, reviews (and the critical rows); SMS only security; in-app all.
        Assert.DoesNotContain("promotions/email", on);
        Assert.Contains("finance/email", on);
        Assert.Equal(["booking/push", "legal/push", "messages/push", "reviews/push", "security/push"], on.Where(c => c.EndsWith("/push", StringComparison.Ordinal)).Order());
        Assert.Equal(["security/sms"], on.Where(c => c.EndsWith("/sms", StringComparison.Ordinal)));
        Assert.Equal(categories.Length, on.Count(c => c.EndsWith("/in_app", StringComparison.Ordinal)));
        Assert.True(Cell(matrix, "security", "email").GetProperty("locked").GetBoolean());
        Assert.True(Cell(matrix, "legal", "email").GetProperty("locked").GetBoolean());
        Assert.False(Cell(matrix, "legal", "sms").GetProperty("locked").GetBoolean());
        Assert.False(Cell(matrix, "booking", "email").GetProperty("locked").GetBoolean());
        Assert.False(matrix.GetProperty("quietHours").GetProperty("enabled").GetBoolean());
        Assert.Equal("UTC", matrix.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task A_partial_update_is_stored_and_shown_by_the_next_get()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var user = tenant.UserClient("alice");

        var response = await user.PutAsJsonAsync(Path, new
        {
            preferences = new[] { Change("booking", "email", false), Change("promotions", "sms", true) },
            quietHours = new { enabled = true, start = "22:30", exceptions = new[] { "messages" } },
            timeZone = "Europe/Berlin",
        });

        var answered = await response.JsonAsync(HttpStatusCode.OK);
        Assert.False(Enabled(answered, "booking", "email"));
        var matrix = await user.GetFromJsonAsync<JsonElement>(Path);
        Assert.False(Enabled(matrix, "booking", "email"));
        Assert.True(Cell(matrix, "booking", "email").GetProperty("default").GetBoolean());
        Assert.True(Enabled(matrix, "promotions", "sms"));
        Assert.True(Enabled(matrix, "booking", "push"));
        Assert.Equal("Europe/Berlin", matrix.GetProperty("timeZone").GetString());
        var quiet = matrix.GetProperty("quietHours");
        Assert.True(quiet.GetProperty("enabled").GetBoolean());
        Assert.Equal(("22:30", "08:00"), (quiet.GetProperty("start").GetString(), quiet.GetProperty("end").GetString()));
        Assert.Equal(["messages"], quiet.GetProperty("exceptions").EnumerateArray().Select(e => e.GetString()));

        (await user.PutAsJsonAsync(Path, new { preferences = new[] { Change("booking", "email", true) } })).EnsureSuccessStatusCode();
        await using var db = fixture.CreateDbContext();
        var rows = await db.Preferences.Where(p => p.TenantId == tenant.Id).OrderBy(p => p.Category).ToListAsync();
        Assert.Equal([("booking", "email", true), ("promotions", "sms", true)], rows.Select(p => (p.Category, p.Channel, p.Enabled)));
    }

    [Fact]
    public async Task Turning_off_a_locked_row_is_422_and_nothing_is_stored()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var user = tenant.UserClient("alice");

        var response = await user.PutAsJsonAsync(Path, new
        {
            preferences = new[] { Change("booking", "email", false), Change("security", "email", false) },
            timeZone = "Europe/Paris",
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "COMMS_PREF_LOCKED");
        Assert.Equal("preferences[1]", problem.GetProperty("field").GetString());
        Assert.Contains("'security' on email", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var matrix = await user.GetFromJsonAsync<JsonElement>(Path);
        Assert.True(Enabled(matrix, "booking", "email"));
        Assert.Equal("UTC", matrix.GetProperty("timeZone").GetString());
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Preferences.AnyAsync(p => p.TenantId == tenant.Id));
    }

    [Theory]
    [InlineData("""{"preferences":[{"category":"gossip","channel":"email","enabled":false}]}""", "preferences[0].category")]
    [InlineData("""{"preferences":[{"category":"booking","channel":"fax","enabled":false}]}""", "preferences[0].channel")]
    [InlineData("""{"timeZone":"Atlantis/Capital"}""", "timeZone")]
    [InlineData("""{"quietHours":{"start":"9pm"}}""", "quietHours.start")]
    public async Task Bad_updates_get_400_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.UserClient("alice").PutJsonAsync(Path, body);

        await response.AssertValidationAsync(field);
        await using var db = fixture.CreateDbContext();
        var alice = await db.Recipients.SingleAsync(r => r.TenantId == tenant.Id);
        Assert.Equal(("UTC", new TimeOnly(21, 0)), (alice.TimeZone, alice.QuietHoursStart));
    }

    [Fact]
    public async Task The_alias_me_communications_is_the_same_preference_center()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var user = tenant.UserClient("alice");

        var put = await user.PutAsJsonAsync("/me/communications", new { preferences = new[] { Change("reviews", "push", false) } });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.False(Enabled(await user.GetFromJsonAsync<JsonElement>(Path), "reviews", "push"));
        Assert.False(Enabled(await user.GetFromJsonAsync<JsonElement>("/me/communications"), "reviews", "push"));
        await (await user.PutAsJsonAsync("/me/communications", new { preferences = new[] { Change("legal", "email", false) } }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "COMMS_PREF_LOCKED");
    }

    [Fact]
    public async Task Each_token_sees_and_changes_only_its_own_user()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        var other = await TestTenant.CreateAsync(fixture, "alice");
        (await tenant.UserClient("alice").PutAsJsonAsync(Path, new { preferences = new[] { Change("booking", "email", false) } })).EnsureSuccessStatusCode();

        Assert.True(Enabled(await tenant.UserClient("bob").GetFromJsonAsync<JsonElement>(Path), "booking", "email"));
        Assert.True(Enabled(await other.UserClient("alice").GetFromJsonAsync<JsonElement>(Path), "booking", "email"));
        Assert.False(Enabled(await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>(Path), "booking", "email"));
        await (await tenant.UserClient("carol").GetAsync(Path)).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await (await tenant.UserClient("carol").PutAsJsonAsync(Path, new { preferences = new[] { Change("booking", "email", false) } }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await (await tenant.ApiClient().GetAsync(Path)).AssertProblemAsync(HttpStatusCode.Unauthorized, "COMMS_UNAUTHORIZED");
    }

    [Fact]
    public async Task Product_backends_manage_the_same_preferences_and_tenant_categories_appear()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync("/v1/categories/outages", new { critical = true, defaultChannels = new[] { "email" } })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/categories/tips", new { defaultChannels = new[] { "push" } })).EnsureSuccessStatusCode();

        var put = await api.PutAsJsonAsync("/v1/recipients/alice/preferences", new { preferences = new[] { Change("tips", "push", false) } });
        await (await api.PutAsJsonAsync("/v1/recipients/alice/preferences", new { preferences = new[] { Change("outages", "email", false) } }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "COMMS_PREF_LOCKED");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var mine = await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>(Path);
        Assert.False(Enabled(mine, "tips", "push"));
        Assert.True(Cell(mine, "tips", "push").GetProperty("default").GetBoolean());
        Assert.True(Cell(mine, "outages", "push").GetProperty("locked").GetBoolean());
        var service = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/alice/preferences");
        Assert.Equal(mine.GetRawText(), service.GetRawText());
        await (await (await TestTenant.CreateAsync(fixture)).ApiClient().GetAsync("/v1/recipients/alice/preferences"))
            .AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
    }
}
