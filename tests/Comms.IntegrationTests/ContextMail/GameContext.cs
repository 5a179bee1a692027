using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.ContextMail;

/// <summary>A game context of a test tenant, owned by <c>olga</c>, set up through the contexts API, and its members' mail calls.</summary>
internal sealed class GameContext(TestTenant tenant, string key, HttpClient? api = null)
{
    public const string Owner = "olga";

    public string Key { get; } = key;

    public TestTenant Tenant { get; } = tenant;

    private HttpClient Api { get; } = api ?? tenant.ApiClient();

    public static async Task<GameContext> CreateAsync(TestTenant tenant, string key, params string[] members) =>
        await CreateAsync(tenant, key, null, members);

    public static async Task<GameContext> CreateAsync(TestTenant tenant, string key, HttpClient? api, params string[] members)
    {
        var game = new GameContext(tenant, key, api);
        await Ok(game.Api.PutAsJsonAsync($"/v1/contexts/{key}", new { kind = "game", name = "Galaxy " + key, ownerExternalId = Owner }));
        foreach (var member in members)
        {
            await game.SetMemberAsync(member, "active");
        }

        return game;
    }

    public Task SetMemberAsync(string member, string status, string? displayName = null) =>
        Ok(Api.PutAsJsonAsync($"/v1/contexts/{Key}/members/{member}", new { status, displayName }));

    public Task RemoveAsync(string member) => Ok(Api.DeleteAsync($"/v1/contexts/{Key}/members/{member}"));

    public Task SetStatusAsync(string status) => Ok(Api.PostAsJsonAsync($"/v1/contexts/{Key}/status", new { status }));

    public string MailPath => $"/me/contexts/{Key}/mail";

    /// <summary>Sends as <paramref name="user"/> through <paramref name="client"/> (default: the fixture's API) and answers the response.</summary>
    public Task<HttpResponseMessage> SendAsync(string user, object mail, HttpClient? client = null) =>
        Client(user, client).PostAsJsonAsync(MailPath, mail);

    public async Task<Guid> SentAsync(string user, object mail, HttpClient? client = null)
    {
        var json = await Ok(SendAsync(user, mail, client));
        return json.GetProperty("id").GetGuid();
    }

    public async Task<List<JsonElement>> ListAsync(string user) =>
        [.. (await Ok(Tenant.UserClient(user).GetAsync(MailPath))).GetProperty("items").EnumerateArray()];

    public HttpClient Client(string user, HttpClient? client = null)
    {
        if (client is null)
        {
            return Tenant.UserClient(user);
        }

        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Tenant.UserToken(user));
        return client;
    }

    public static async Task<JsonElement> Ok(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
