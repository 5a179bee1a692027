using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>/v1/recipients/{externalId}/devices: idempotent registration, moving tokens, list and removal.</summary>
[Collection(CommsCollection.Name)]
public sealed class DevicesApiTests(CommsFixture fixture)
{
    [Fact]
    public async Task Registering_a_device_is_idempotent_and_it_is_listed()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        var token = "fcm-token-" + tenant.Id;

        var first = await api.PutAsJsonAsync("/v1/recipients/alice/devices", new { provider = "fcm", token });
        var again = await api.PutAsJsonAsync("/v1/recipients/alice/devices", new { provider = "fcm", token });
        (await api.PutAsJsonAsync("/v1/recipients/alice/devices", new { provider = "webpush", token = "wp-" + tenant.Id })).EnsureSuccessStatusCode();

        var created = await first.JsonAsync(HttpStatusCode.Created);
        var repeated = await again.JsonAsync(HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetGuid(), repeated.GetProperty("id").GetGuid());
        var devices = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/alice/devices");
        Assert.Equal(["fcm", "webpush"], devices.EnumerateArray().Select(d => d.GetProperty("provider").GetString()).Order());
    }

    [Fact]
    public async Task A_token_registered_for_another_user_moves_to_the_new_one()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        var api = tenant.ApiClient();
        var token = "shared-" + tenant.Id;
        (await api.PutAsJsonAsync("/v1/recipients/alice/devices", new { provider = "expo", token })).EnsureSuccessStatusCode();

        var moved = await api.PutAsJsonAsync("/v1/recipients/bob/devices", new { provider = "expo", token });

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(0, (await api.GetFromJsonAsync<JsonElement>("/v1/recipients/alice/devices")).GetArrayLength());
        Assert.Equal(1, (await api.GetFromJsonAsync<JsonElement>("/v1/recipients/bob/devices")).GetArrayLength());
    }

    [Fact]
    public async Task A_device_is_removed_only_through_its_own_recipient()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        var api = tenant.ApiClient();
        var device = await (await api.PutAsJsonAsync("/v1/recipients/alice/devices", new { provider = "apns", token = "apns-" + tenant.Id }))
            .JsonAsync(HttpStatusCode.Created);
        var id = device.GetProperty("id").GetGuid();

        await (await api.DeleteAsync($"/v1/recipients/bob/devices/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        var removed = await api.DeleteAsync($"/v1/recipients/alice/devices/{id}");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(0, (await api.GetFromJsonAsync<JsonElement>("/v1/recipients/alice/devices")).GetArrayLength());
    }

    [Theory]
    [InlineData("""{"provider":"carrier-pigeon","token":"t"}""", "provider")]
    [InlineData("""{"provider":"fcm","token":"  "}""", "token")]
    [InlineData("""{"provider":"fcm"}""", "token")]
    public async Task Bad_devices_get_400_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PutJsonAsync("/v1/recipients/alice/devices", body);

        await response.AssertValidationAsync(field);
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Devices.AnyAsync(d => d.TenantId == tenant.Id));
    }

    [Fact]
    public async Task Devices_of_unknown_recipients_and_other_tenants_are_404()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var other = await TestTenant.CreateAsync(fixture);
        var device = await (await tenant.ApiClient().PutAsJsonAsync("/v1/recipients/alice/devices", new { provider = "fcm", token = "iso-" + tenant.Id }))
            .JsonAsync(HttpStatusCode.Created);

        await (await other.ApiClient().PutAsJsonAsync("/v1/recipients/alice/devices", new { provider = "fcm", token = "x" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await (await other.ApiClient().DeleteAsync($"/v1/recipients/alice/devices/{device.GetProperty("id").GetGuid()}"))
            .AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        Assert.Equal(1, (await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/recipients/alice/devices")).GetArrayLength());
    }
}
