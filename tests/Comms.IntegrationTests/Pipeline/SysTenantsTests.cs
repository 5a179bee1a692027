using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>Platform operators create tenants; a new tenant's first admin key works at once and sees only its tenant.</summary>
[Collection(CommsCollection.Name)]
public sealed class SysTenantsTests(CommsFixture fixture)
{
    private HttpClient Sys(string? key = CommsFixture.SysKey)
    {
        var client = fixture.Api.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        return client;
    }

    [Fact]
    public async Task A_created_tenant_gets_a_working_admin_key_shown_once()
    {
        var id = "acme-" + Guid.NewGuid().ToString("N")[..8];

        var response = await Sys().PostAsJsonAsync("/sys/tenants", new { id, name = "Acme", defaultLocale = "de-de", defaultTimeZone = "Europe/Berlin" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("adminKey").GetString()!;
        Assert.StartsWith(created.GetProperty("adminKeyPrefix").GetString()! + "_", key, StringComparison.Ordinal);
        Assert.Equal("de-DE", created.GetProperty("tenant").GetProperty("defaultLocale").GetString());

        var admin = fixture.Api.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", key);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsJsonAsync("/v1/recipients/first", new { email = "first@example.test" })).StatusCode);
        var keys = await admin.GetFromJsonAsync<JsonElement>("/v1/api-keys");
        Assert.DoesNotContain(key, keys.GetRawText(), StringComparison.Ordinal);

        var again = await Sys().PostAsJsonAsync("/sys/tenants", new { id, name = "Acme again" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var changed = await Sys().PatchAsJsonAsync($"/sys/tenants/{id}", new { defaultTimeZone = "America/New_York" });
        Assert.Equal("America/New_York", (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("defaultTimeZone").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Sys().GetAsync($"/sys/tenants/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"id":"Bad Id","name":"x"}""", "id")]
    [InlineData("""{"id":"good-id","name":""}""", "name")]
    [InlineData("""{"id":"good-id","name":"x","defaultTimeZone":"Mars/Base"}""", "defaultTimeZone")]
    [InlineData("""{"id":"good-id","name":"x","defaultLocale":"english please"}""", "defaultLocale")]
    public async Task Bad_tenants_get_400_naming_the_field(string body, string field)
    {
        var response = await Sys().PostAsync("/sys/tenants", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(HttpStatusCode.NotFound, (await Sys().GetAsync("/sys/tenants/good-id")).StatusCode);
    }

    [Fact]
    public async Task Only_the_platform_operator_key_opens_sys()
    {
        var tenant = await TestTenant.CreateAsync(fixture);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Sys(null).GetAsync("/sys/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Sys("wrong").GetAsync("/sys/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.ApiClient().GetAsync("/sys/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Sys().GetAsync("/v1/routing-rules")).StatusCode);
    }
}
