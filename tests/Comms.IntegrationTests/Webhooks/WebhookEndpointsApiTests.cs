extern alias api;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Tenancy;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Webhooks;

/// <summary>
/// <c>/v1/webhook-endpoints</c>: registered with the secret shown once (and stored sealed), listed and read without it,
/// changed, rotated, deleted; admin keys only; private targets refused when <c>Comms:Webhooks:AllowPrivateTargets</c> is false.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class WebhookEndpointsApiTests(CommsFixture fixture)
{
    private static async Task<JsonElement> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/v1/webhook-endpoints", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_secret_is_shown_once_stored_sealed_and_rotation_replaces_it()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var client = tenant.ApiClient();

        var created = await CreateAsync(client, new { url = "https://hooks.example.com/comms", eventTypes = new[] { "order.shipped" }, description = "Warehouse" });
        var id = created.GetProperty("id").GetGuid();
        var secret = created.GetProperty("secret").GetString()!;
        var listed = await client.GetStringAsync("/v1/webhook-endpoints");
        var one = await client.GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{id}");
        var rotated = await (await client.PostAsync($"/v1/webhook-endpoints/{id}/rotate-secret", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal(["order.shipped"], created.GetProperty("eventTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Contains(id.ToString(), listed, StringComparison.Ordinal);
        Assert.False(one.TryGetProperty("secret", out _));
        Assert.Equal("https://hooks.example.com/comms", one.GetProperty("url").GetString());
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(secret, newSecret);
        await using var db = fixture.CreateDbContext();
        var stored = db.WebhookEndpoints.Single(e => e.Id == id).ProtectedSecret;
        Assert.DoesNotContain(newSecret["whsec_".Length..], stored, StringComparison.Ordinal);
        Assert.StartsWith("v1.", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_is_changed_disabled_and_deleted_and_unknown_ids_are_404()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var client = tenant.ApiClient();
        var id = (await CreateAsync(client, new { url = "https://hooks.example.com/a", eventTypes = new[] { "*" } })).GetProperty("id").GetGuid();

        var patched = await client.PatchAsJsonAsync($"/v1/webhook-endpoints/{id}", new { enabled = false, eventTypes = new[] { "a.b", "c.d" }, url = "https://hooks.example.com/b" });
        var changed = await patched.Content.ReadFromJsonAsync<JsonElement>();
        var deleted = await client.DeleteAsync($"/v1/webhook-endpoints/{id}");
        var gone = await client.GetAsync($"/v1/webhook-endpoints/{id}");
        var rotateGone = await client.PostAsync($"/v1/webhook-endpoints/{id}/rotate-secret", null);
        var patchGone = await client.PatchAsJsonAsync($"/v1/webhook-endpoints/{id}", new { enabled = true });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.False(changed.GetProperty("enabled").GetBoolean());
        Assert.Equal("https://hooks.example.com/b", changed.GetProperty("url").GetString());
        Assert.Equal(["a.b", "c.d"], changed.GetProperty("eventTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        foreach (var response in new[] { gone, rotateGone, patchGone })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("COMMS_NOT_FOUND", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task Bad_input_is_400_naming_the_field_and_non_admin_keys_are_403()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var editor = await tenant.AddApiKeyAsync("editor", ApiKeyRoles.Editor);
        var client = tenant.ApiClient();

        var noUrl = await client.PostAsJsonAsync("/v1/webhook-endpoints", new { eventTypes = new[] { "a" } });
        var ftp = await client.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "ftp://hooks.example.com/", eventTypes = new[] { "a" } });
        var credentials = await client.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "https://u:p@hooks.example.com/", eventTypes = new[] { "a" } });
        var noEvents = await client.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "https://hooks.example.com/", eventTypes = Array.Empty<string>() });
        var badEvent = await client.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "https://hooks.example.com/", eventTypes = new[] { "ok", "no spaces" } });
        var notAdmin = await tenant.ApiClient(editor).GetAsync("/v1/webhook-endpoints");

        foreach (var (response, field) in new[] { (noUrl, "url"), (ftp, "url"), (credentials, "url"), (noEvents, "eventTypes"), (badEvent, "eventTypes[1]") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("COMMS_VALIDATION", problem.GetProperty("type").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), field);
        }

        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.Empty(await client.GetFromJsonAsync<JsonElement[]>("/v1/webhook-endpoints") ?? []);
    }

    [Fact]
    public async Task Private_targets_and_plain_http_are_refused_unless_allowed()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var settings = fixture.Settings.ToDictionary(p => p.Key, p => p.Value);
        settings["Comms:Webhooks:AllowPrivateTargets"] = "false";
        await using var strict = new ServiceFactory<api::Program>(settings);
        var client = strict.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);

        var refused = new Dictionary<string, string>
        {
            ["https://127.0.0.1/hook"] = "loopback",
            ["https://localhost:8443/hook"] = "loopback",
            ["https://10.1.2.3/hook"] = "private",
            ["https://192.168.1.10/hook"] = "private",
            ["https://172.20.0.1/hook"] = "private",
            ["https://169.254.169.254/latest/meta-data"] = "link-local",
            ["https://[::1]/hook"] = "loopback",
            ["https://[fd00::1]/hook"] = "unique-local",
            ["https://[fe80::1]/hook"] = "link-local",
            ["https://[::ffff:10.0.0.1]/hook"] = "private",
            ["https://224.0.0.1/hook"] = "multicast",
        };
        foreach (var (url, why) in refused)
        {
            var response = await client.PostAsJsonAsync("/v1/webhook-endpoints", new { url, eventTypes = new[] { "*" } });
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{url}: {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("COMMS_WEBHOOK_TARGET_REFUSED", problem.GetProperty("type").GetString());
            Assert.Contains(why, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var http = await client.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "http://hooks.example.com/", eventTypes = new[] { "*" } });
        var id = (await CreateAsync(client, new { url = "https://hooks.example.com/ok", eventTypes = new[] { "*" } })).GetProperty("id").GetGuid();
        var patchedToPrivate = await client.PatchAsJsonAsync($"/v1/webhook-endpoints/{id}", new { url = "https://10.0.0.1/x" });
        var allowedByTheSharedApi = await tenant.ApiClient().PostAsJsonAsync("/v1/webhook-endpoints", new { url = "http://127.0.0.1:9/hook", eventTypes = new[] { "*" } });

        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, patchedToPrivate.StatusCode);
        Assert.Equal(HttpStatusCode.Created, allowedByTheSharedApi.StatusCode);
        await using var db = fixture.CreateDbContext();
        Assert.Equal(["https://hooks.example.com/ok", "http://127.0.0.1:9/hook"],
            db.WebhookEndpoints.Where(e => e.TenantId == tenant.Id).OrderBy(e => e.CreatedAt).Select(e => e.Url).ToList());
    }
}
