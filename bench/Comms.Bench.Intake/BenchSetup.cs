using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Comms.Bench.Intake;

/// <summary>
/// Creates the benchmark's recipient, in-app template and routing rule through the public API, so the
/// pipeline's work per event is one in-app notification (the mail catcher would cap the run at its
/// ~200 mails/s otherwise).
/// </summary>
internal static class BenchSetup
{
    public const string EventName = "bench.ping";
    public const string Recipient = "bench-user";

    public static async Task RunAsync(BenchOptions options)
    {
        using var http = new HttpClient { BaseAddress = new Uri(options.Api) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
        await SendAsync(http.PutAsJsonAsync($"/v1/recipients/{Recipient}", new { name = "Benchmark", quietHours = new { enabled = false } }));
        // --users N: the events go to N users in turn (a realistic spread: one user's inbox is written by one transaction at a time).
        for (var first = 0; options.Users > 1 && first < options.Users; first += 1000)
        {
            var users = Enumerable.Range(first, Math.Min(1000, options.Users - first))
                .Select(n => new { externalId = options.RecipientOf(n), name = $"Benchmark {n}", quietHours = new { enabled = false } });
            await SendAsync(http.PostAsJsonAsync("/v1/recipients/bulk", new { recipients = users }));
        }

        await SendAsync(http.PutAsJsonAsync($"/v1/templates/{EventName}/in_app/en-US/draft", new
        {
            category = "account",
            content = new { title = "Ping from {{ name }}", body = "A benchmark notification." },
        }));
        await SendAsync(http.PostAsync($"/v1/templates/{EventName}/in_app/en-US/publish", null));
        await SendAsync(http.PutAsJsonAsync($"/v1/routing-rules/{EventName}", new
        {
            templateName = EventName, category = "account", channels = new[] { "in_app" },
        }));
        Console.WriteLine($"Set up {(options.Users > 1 ? $"{options.Users} recipients '{Recipient}-0'…" : $"recipient '{Recipient}'")}, template and rule '{EventName}' (in-app only).");
    }

    private static async Task SendAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
