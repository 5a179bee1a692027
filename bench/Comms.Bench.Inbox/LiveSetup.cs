using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Comms.Bench.Inbox;

/// <summary>
/// Through the public API: the live benchmark's users (<c>live-00001</c>…), and an in-app-only event whose title is
/// the payload's <c>tag</c>, so that a client can tell which event an item came from.
/// </summary>
internal static class LiveSetup
{
    public const string EventName = "bench.live";

    public static string UserId(int n) => $"live-{n:D5}";

    public static async Task RunAsync(HttpClient http, int users)
    {
        await SendAsync(http.PutAsJsonAsync($"/v1/templates/{EventName}/in_app/en-US/draft", new
        {
            category = "account",
            content = new { title = "{{ tag }}", body = "A live benchmark notification." },
        }));
        await SendAsync(http.PostAsync($"/v1/templates/{EventName}/in_app/en-US/publish", null));
        await SendAsync(http.PutAsJsonAsync($"/v1/routing-rules/{EventName}", new
        {
            templateName = EventName, category = "account", channels = new[] { "in_app" },
        }));
        await Parallel.ForAsync(1, users + 1, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, _) =>
            await SendAsync(http.PutAsJsonAsync($"/v1/recipients/{UserId(n)}", new { name = $"Live {n}", quietHours = new { enabled = false } })));
    }

    public static HttpClient ApiClient(InboxBenchOptions options) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
        {
            BaseAddress = new Uri(options.Api),
            Timeout = TimeSpan.FromSeconds(60),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", options.Key) },
        };

    private static async Task SendAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
