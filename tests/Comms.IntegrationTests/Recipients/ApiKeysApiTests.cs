using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>/v1/api-keys: the key is shown once and works, lists never show it, revocation is immediate.</summary>
[Collection(CommsCollection.Name)]
public sealed class ApiKeysApiTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_created_key_is_shown_once_and_authenticates()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/api-keys", new { name = "backend", roles = new[] { "editor" } });

        var created = await response.JsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        var prefix = created.GetProperty("prefix").GetString()!;
        Assert.StartsWith(prefix + "_", key, StringComparison.Ordinal);
        Assert.Equal(["editor"], created.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal($"/v1/api-keys/{created.GetProperty("id").GetGuid()}", response.Headers.Location?.OriginalString);
        var withNewKey = tenant.ApiClient(key);
        Assert.Equal(HttpStatusCode.OK, (await withNewKey.GetAsync("/v1/recipients/alice")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await withNewKey.PutAsJsonAsync("/v1/recipients/bob", new { name = "Bob" })).StatusCode);
        await using var db = fixture.CreateDbContext();
        var stored = await db.ApiKeys.SingleAsync(k => k.Id == created.GetProperty("id").GetGuid());
        Assert.NotEqual(key, stored.KeyHash);
        Assert.Equal(tenant.Id, stored.TenantId);
    }

    [Fact]
    public async Task The_list_shows_keys_without_their_secret()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        var created = await (await api.PostAsJsonAsync("/v1/api-keys", new { name = "ci", roles = Array.Empty<string>() })).JsonAsync(HttpStatusCode.Created);

        var response = await api.GetAsync("/v1/api-keys");

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(created.GetProperty("key").GetString()!, body, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.ApiKey, body, StringComparison.Ordinal);
        var keys = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["ci", "test"], keys.EnumerateArray().Select(k => k.GetProperty("name").GetString()).Order());
        Assert.All(keys.EnumerateArray(), k =>
        {
            Assert.False(k.TryGetProperty("key", out _));
            Assert.False(k.TryGetProperty("keyHash", out _));
            Assert.StartsWith("cms_", k.GetProperty("prefix").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, k.GetProperty("revokedAt").ValueKind);
        });
    }

    [Fact]
    public async Task A_revoked_key_gets_401_at_once()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        var created = await (await api.PostAsJsonAsync("/v1/api-keys", new { name = "doomed" })).JsonAsync(HttpStatusCode.Created);
        var doomed = tenant.ApiClient(created.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, (await doomed.GetAsync("/v1/recipients/alice")).StatusCode);

        var revoked = await api.DeleteAsync($"/v1/api-keys/{created.GetProperty("id").GetGuid()}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await (await doomed.GetAsync("/v1/recipients/alice")).AssertProblemAsync(HttpStatusCode.Unauthorized, "COMMS_UNAUTHORIZED");
        var listed = (await api.GetFromJsonAsync<JsonElement>("/v1/api-keys")).EnumerateArray().Single(k => k.GetProperty("name").GetString() == "doomed");
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task The_last_admin_key_cannot_revoke_itself_but_can_once_another_exists()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        var self = (await api.GetFromJsonAsync<JsonElement>("/v1/api-keys")).EnumerateArray().Single().GetProperty("id").GetGuid();

        await (await api.DeleteAsync($"/v1/api-keys/{self}")).AssertProblemAsync(HttpStatusCode.Conflict, "COMMS_LAST_ADMIN_KEY");
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/recipients/alice")).StatusCode);

        (await api.PostAsJsonAsync("/v1/api-keys", new { name = "second admin", roles = new[] { "admin" } })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/v1/api-keys/{self}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/v1/recipients/alice")).StatusCode);
    }

    [Fact]
    public async Task A_key_without_the_admin_role_gets_403_problem_details()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var editor = tenant.ApiClient(await tenant.AddApiKeyAsync("editor", "editor"));

        await (await editor.GetAsync("/v1/api-keys")).AssertProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
        await (await editor.PostAsJsonAsync("/v1/api-keys", new { name = "sneaky", roles = new[] { "admin" } }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.ApiKeys.AnyAsync(k => k.TenantId == tenant.Id && k.Name == "sneaky"));
    }

    [Fact]
    public async Task Another_tenants_key_cannot_be_seen_or_revoked()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var other = await TestTenant.CreateAsync(fixture);
        var victim = (await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/api-keys")).EnumerateArray().Single().GetProperty("id").GetGuid();

        await (await other.ApiClient().DeleteAsync($"/v1/api-keys/{victim}")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await other.ApiClient().GetAsync($"/v1/api-keys/{victim}")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        Assert.Equal(HttpStatusCode.OK, (await tenant.ApiClient().GetAsync("/v1/recipients/alice")).StatusCode);
    }

    [Theory]
    [InlineData("""{"roles":["admin"]}""", "name")]
    [InlineData("""{"name":"x","roles":["root"]}""", "roles[0]")]
    public async Task Bad_key_requests_get_400_naming_the_field(string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture);

        var response = await tenant.ApiClient().PostAsync("/v1/api-keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await response.AssertValidationAsync(field);
        await using var db = fixture.CreateDbContext();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.TenantId == tenant.Id));
    }
}
