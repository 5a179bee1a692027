using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Comms.IntegrationTests.Recipients;

/// <summary>Assertions on problem-details answers.</summary>
internal static class Problems
{
    /// <summary>Asserts the status and problem type and returns the problem document.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(type, problem.GetProperty("type").GetString());
        return problem;
    }

    /// <summary>Asserts a 400 COMMS_VALIDATION problem whose errors name <paramref name="field"/>.</summary>
    public static async Task AssertValidationAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "COMMS_VALIDATION");
        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.True(fields.Contains(field), $"Expected an error for '{field}', got: {string.Join(", ", fields)}");
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, string json) =>
        client.PutAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
}
