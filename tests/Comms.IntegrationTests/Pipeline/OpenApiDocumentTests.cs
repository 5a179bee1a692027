using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>The OpenAPI document lists every endpoint the API maps, each with a summary.</summary>
[Collection(CommsCollection.Name)]
public sealed partial class OpenApiDocumentTests(CommsFixture fixture)
{
    [GeneratedRegex(@"\{([^}:?=]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task Every_mapped_endpoint_is_documented_with_a_summary()
    {
        var mapped = fixture.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
            .Select(e => (Path: Normalize(e.RoutePattern.RawText!), Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods))
            .Where(e => e.Path.StartsWith("/v1/", StringComparison.Ordinal) || e.Path.StartsWith("/me/", StringComparison.Ordinal)
                        || e.Path.StartsWith("/sys/", StringComparison.Ordinal))
            .SelectMany(e => e.Methods.Select(m => (e.Path, Method: m.ToLowerInvariant())))
            .ToList();
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().ToDictionary(p => Normalize(p.Name), p => p.Value);

        Assert.True(mapped.Count > 40, $"only {mapped.Count} endpoints found");
        var missing = mapped.Where(e => !paths.TryGetValue(e.Path, out var item) || !item.TryGetProperty(e.Method, out var operation)
                || !operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            .Select(e => $"{e.Method.ToUpperInvariant()} {e.Path}").ToList();
        Assert.Empty(missing);
    }

    private static string Normalize(string path) => RouteParameter().Replace(path, "{$1}").TrimEnd('/');
}
