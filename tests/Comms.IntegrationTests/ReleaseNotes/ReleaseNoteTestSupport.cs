using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.ReleaseNotes;

internal static class ReleaseNoteTestSupport
{
    /// <summary>A version no other test uses.</summary>
    public static string NewVersion() => $"{Random.Shared.Next(100, 1_000_000)}.{Random.Shared.Next(0, 1_000_000)}.{Random.Shared.Next(0, 1000)}";

    public static HttpClient SysClient(CommsFixture fixture)
    {
        var client = fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CommsFixture.SysKey);
        return client;
    }

    public static object Note(string version, string title, string visibility = "public", string publicBody = "Public words.",
        string internalBody = "Internal words.", string[]? pullRequests = null) => new
    {
        version,
        title,
        internalBody,
        publicBody,
        sections = new { added = new[] { "Added " + title }, changed = Array.Empty<string>(), @fixed = new[] { "Fixed " + title } },
        pullRequests = pullRequests ?? ["https://github.com/example/comms/pull/1"],
        visibility,
        channels = new[] { "in_app", "email" },
    };

    public static async Task<JsonElement> CreateAsync(HttpClient sys, object note)
    {
        var response = await sys.PostAsJsonAsync("/sys/release-notes", note);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body.ToString());
        return body;
    }

    public static async Task<JsonElement> PublishAsync(HttpClient sys, string id)
    {
        var response = await sys.PostAsync($"/sys/release-notes/{id}/publish", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    public static async Task<JsonElement> CreatePublishedAsync(HttpClient sys, object note) =>
        await PublishAsync(sys, (await CreateAsync(sys, note)).GetProperty("id").GetString()!);
}
