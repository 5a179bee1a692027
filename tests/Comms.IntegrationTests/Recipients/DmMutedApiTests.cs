using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>
/// <c>dmMuted</c>: per channel, whether the user mutes direct messages from operators there (SPEC S6's <c>dm_muted</c>),
/// stored per recipient × channel and exposed in every preference center (/me, its alias, /v1/recipients).
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class DmMutedApiTests(CommsFixture fixture)
{
    private static Dictionary<string, bool> DmMuted(JsonElement matrix) =>
        matrix.GetProperty("dmMuted").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean());

    [Fact]
    public async Task Nothing_is_muted_until_the_user_mutes_a_channel_and_a_partial_update_keeps_the_others()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var user = tenant.UserClient("alice");

        var fresh = await user.GetFromJsonAsync<JsonElement>("/me/notifications/preferences");
        var muted = await (await user.PutAsJsonAsync("/me/notifications/preferences", new { dmMuted = new Dictionary<string, bool> { ["email"] = true, ["push"] = true } }))
            .JsonAsync(HttpStatusCode.OK);
        var unmuted = await (await user.PutAsJsonAsync("/me/communications", new { dmMuted = new Dictionary<string, bool> { ["push"] = false } }))
            .JsonAsync(HttpStatusCode.OK);

        var none = new Dictionary<string, bool> { ["email"] = false, ["push"] = false, ["sms"] = false, ["in_app"] = false };
        Assert.Equal(none, DmMuted(fresh));
        Assert.Equal(["email", "push", "sms", "in_app"], fresh.GetProperty("dmMuted").EnumerateObject().Select(p => p.Name)); // the channel order
        Assert.Equal(none.ToDictionary(c => c.Key, c => c.Key is "email" or "push"), DmMuted(muted));
        var expected = none.ToDictionary(c => c.Key, c => c.Key == "email");
        Assert.Equal(expected, DmMuted(unmuted));
        Assert.Equal(expected, DmMuted(await user.GetFromJsonAsync<JsonElement>("/me/notifications/preferences")));
        Assert.Equal(expected, DmMuted(await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/recipients/alice/preferences")));
        await using var db = fixture.CreateDbContext();
        Assert.Equal(["email"], (await db.Recipients.SingleAsync(r => r.TenantId == tenant.Id)).DmMutedChannels);
    }

    [Fact]
    public async Task Product_backends_set_it_through_the_recipients_preferences_api()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "bob");

        var response = await tenant.ApiClient().PutAsJsonAsync("/v1/recipients/bob/preferences",
            new { dmMuted = new Dictionary<string, bool> { ["sms"] = true, ["in_app"] = true } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var mine = await tenant.UserClient("bob").GetFromJsonAsync<JsonElement>("/me/notifications/preferences");
        Assert.Equal(new Dictionary<string, bool> { ["email"] = false, ["push"] = false, ["sms"] = true, ["in_app"] = true }, DmMuted(mine));
    }

    [Theory]
    [InlineData("""{"dmMuted":{"fax":true}}""", "dmMuted.fax")]
    [InlineData("""{"dmMuted":{"webhook":true}}""", "dmMuted.webhook")]
    [InlineData("""{"dmMuted":{"email":null}}""", "dmMuted.email")]
    [InlineData("""{"dmMuted":{"email":true,"sms":true,"push":true,"in_app":true,"a":true}}""", "dmMuted")]
    public async Task Unknown_channels_and_missing_values_are_400_naming_them_and_nothing_is_stored(string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "cal");

        var response = await tenant.UserClient("cal").PutJsonAsync("/me/notifications/preferences",
            body.Insert(body.Length - 1, ""","timeZone":"Europe/Berlin","preferences":[{"category":"booking","channel":"email","enabled":false}]"""));

        await response.AssertValidationAsync(field);
        await using var db = fixture.CreateDbContext();
        var cal = await db.Recipients.SingleAsync(r => r.TenantId == tenant.Id);
        Assert.Equal(("UTC", 0), (cal.TimeZone, cal.DmMutedChannels.Length));
        Assert.False(await db.Preferences.AnyAsync(p => p.TenantId == tenant.Id));
    }

    [Theory]
    [InlineData("""{"dmMuted":{"email":"yes"}}""")]
    [InlineData("""{"dmMuted":["email"]}""")]
    [InlineData("""{"dmMuted":true}""")]
    public async Task The_wrong_json_type_is_400(string body)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "dan");

        var response = await tenant.UserClient("dan").PutJsonAsync("/me/notifications/preferences", body);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "COMMS_BAD_REQUEST");
    }
}
