using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Comms.IntegrationTests.Templates;

/// <summary>Request bodies and small helpers shared by the template tests.</summary>
internal static class TemplateRequests
{
    public static readonly object NameSchema = new
    {
        type = "object",
        required = new[] { "name" },
        properties = new { name = new { type = "string" } },
    };

    public static object EmailDraft(string subject = "Hi {{ name }}", string? category = "account", object? schema = null) => new
    {
        category,
        content = new { subject, html = "<p>Hello {{ name }}</p>", text = "Hello {{ name }}" },
        variablesSchema = schema ?? NameSchema,
    };

    public static string Path(string name, string channel = "email", string locale = "en-US") =>
        $"/v1/templates/{name}/{channel}/{locale}";

    public static Task<HttpResponseMessage> PutDraftAsync(this HttpClient client, string name, object body, string channel = "email", string locale = "en-US") =>
        client.PutAsJsonAsync(Path(name, channel, locale) + "/draft", body);

    public static Task<HttpResponseMessage> ActAsync(this HttpClient client, string name, string action, string channel = "email", string locale = "en-US") =>
        client.PostAsync($"{Path(name, channel, locale)}/{action}", content: null);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a problem-details answer with this status and type, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string type)
    {
        var problem = await response.JsonAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(type, problem.GetProperty("type").GetString());
        return problem;
    }

    public static IReadOnlyList<string> ErrorFields(this JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(p => p.Name).ToList() : [];
}
