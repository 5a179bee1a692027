using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Auth;
using Comms.ReliabilityTests.Infrastructure;

namespace Comms.ReliabilityTests.Faults;

/// <summary>
/// A small tenant for the outage tests: one recipient <c>u1</c>, an in-app event <c>outage.note</c>, an API client
/// and a user client of <c>u1</c> (signed with the tenant's own key), and request helpers that turn a hung or
/// refused connection into an answer to report instead of an exception.
/// </summary>
public sealed record OutageTenant(string Id, HttpClient Client, HttpClient User)
{
    public static async Task<OutageTenant> CreateAsync(ServiceProcess api)
    {
        var (tenant, client) = await FaultServers.CreateTenantAsync(api, "outage");
        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/recipients/u1", new { name = "U1", quietHours = new { enabled = false } });
        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/templates/outage.note/in_app/en-US/draft",
            new { category = "account", content = new { title = "Note {{ n }}" } });
        await FaultServers.SendAsync(client, HttpMethod.Post, "/v1/templates/outage.note/in_app/en-US/publish", new { });
        await FaultServers.SendAsync(client, HttpMethod.Put, "/v1/routing-rules/outage.note",
            new { templateName = "outage.note", category = "account", channels = new[] { "in_app" } });
        using var response = await client.PostAsJsonAsync("/v1/signing-keys", new { algorithm = "HS256", kid = "outage" });
        var secret = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var user = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(10) };
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            UserTokens.IssueHs256(secret, "outage", tenant, "u1", TimeSpan.FromHours(1), TimeProvider.System));
        return new OutageTenant(tenant, client, user);
    }

    public static object Event(int n) => new { name = "outage.note", recipients = new[] { "u1" }, causeRef = $"outage:{n}", category = "account", payload = new { n } };

    /// <summary>Posts event <paramref name="n"/>; the status code, or "timeout".</summary>
    public async Task<string> PostAsync(int n)
    {
        try
        {
            using var response = await Client.PostAsJsonAsync("/v1/events", Event(n));
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }

    /// <summary>"STATUS BODY" of a GET, or "timeout".</summary>
    public static async Task<string> StatusAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }

    /// <summary>The whole answer (status 0 for a timeout).</summary>
    public static async Task<ProbeResult> SendAsync(HttpClient client, HttpMethod method, string path, object? body)
    {
        var probe = new Probe(path, method.Method, path, null, body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web));
        try
        {
            return await ProbeRunner.SendAsync(client, probe);
        }
        catch (TaskCanceledException)
        {
            return new ProbeResult(probe, 0, null, "timeout", "");
        }
    }
}
