using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Recipients;

/// <summary>The OpenAPI document lists every recipients, API keys, categories and preference center endpoint with a summary.</summary>
[Collection(CommsCollection.Name)]
public sealed class OpenApiTests(CommsFixture fixture)
{
    [Theory]
    [InlineData("/v1/recipients", "get")]
    [InlineData("/v1/recipients", "post")]
    [InlineData("/v1/recipients/{externalId}", "get")]
    [InlineData("/v1/recipients/{externalId}", "put")]
    [InlineData("/v1/recipients/{externalId}", "delete")]
    [InlineData("/v1/recipients/{externalId}/devices", "put")]
    [InlineData("/v1/recipients/{externalId}/devices", "get")]
    [InlineData("/v1/recipients/{externalId}/devices/{deviceId}", "delete")]
    [InlineData("/v1/recipients/{externalId}/preferences", "get")]
    [InlineData("/v1/recipients/{externalId}/preferences", "put")]
    [InlineData("/v1/api-keys", "post")]
    [InlineData("/v1/api-keys", "get")]
    [InlineData("/v1/api-keys/{id}", "delete")]
    [InlineData("/v1/categories", "get")]
    [InlineData("/v1/categories/{name}", "put")]
    [InlineData("/v1/categories/{name}", "delete")]
    [InlineData("/me/notifications/preferences", "get")]
    [InlineData("/me/notifications/preferences", "put")]
    [InlineData("/me/communications", "get")]
    [InlineData("/me/communications", "put")]
    public async Task The_endpoint_is_documented_with_a_summary(string path, string method)
    {
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        var entry = paths.EnumerateObject().FirstOrDefault(p => p.Name.TrimEnd('/') == path);
        Assert.True(entry.Value.ValueKind == JsonValueKind.Object, $"{path} is not in the OpenAPI document.");
        Assert.True(entry.Value.TryGetProperty(method, out var operation), $"{method.ToUpperInvariant()} {path} is not documented.");
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
    }
}
